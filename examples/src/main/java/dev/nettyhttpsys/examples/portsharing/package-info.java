/** Several applications, each with its own URL prefix and request queue, on one port. */
package dev.nettyhttpsys.examples.portsharing;
