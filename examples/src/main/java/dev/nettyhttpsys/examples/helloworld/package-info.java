/** Netty's hello-world HTTP server on the HTTP.SYS transport: only the transport classes differ. */
package dev.nettyhttpsys.examples.helloworld;
