/**
 * Test helpers shared by the modules' tests (test scope only, never shipped with the transport):
 * {@link dev.nettyhttpsys.testsupport.LeakDetectorGate} fails a test class on a Netty leak report.
 */
package dev.nettyhttpsys.testsupport;
