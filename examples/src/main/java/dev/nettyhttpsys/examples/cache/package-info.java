/** The output cache: a server-wide time-to-live and a per-response override, and how to see hits. */
package dev.nettyhttpsys.examples.cache;
