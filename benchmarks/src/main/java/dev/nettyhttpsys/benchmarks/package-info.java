/** Benchmarks: JMH micro-benchmarks and the hello-world server the load script drives on each transport. */
package dev.nettyhttpsys.benchmarks;
