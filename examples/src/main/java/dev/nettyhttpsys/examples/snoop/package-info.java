/** A server that describes each request back to its client: what HTTP.SYS (or the socket) delivered. */
package dev.nettyhttpsys.examples.snoop;
