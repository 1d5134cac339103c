/** What the examples share: picking the transport at start-up, with a fallback to epoll or NIO. */
package dev.nettyhttpsys.examples.common;
