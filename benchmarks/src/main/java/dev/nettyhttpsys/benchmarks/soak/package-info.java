/**
 * The soak run (benchmarks/soak.sh, not part of CI): a server with every kind of work on this
 * transport, a WebSocket load client, and the sampling of the server's memory, descriptors and
 * engine counters while millions of mixed requests go through.
 */
package dev.nettyhttpsys.benchmarks.soak;
