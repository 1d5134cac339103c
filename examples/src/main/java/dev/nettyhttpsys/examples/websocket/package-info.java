/** A WebSocket chat room whose page is served by the same server. */
package dev.nettyhttpsys.examples.websocket;
