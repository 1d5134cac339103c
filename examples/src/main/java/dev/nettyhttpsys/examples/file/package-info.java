/** A static file server: zero-copy file regions or chunked input, conditional GET and byte ranges. */
package dev.nettyhttpsys.examples.file;
