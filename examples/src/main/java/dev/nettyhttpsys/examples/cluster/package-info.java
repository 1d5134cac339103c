/** Several processes serving one named request queue (Windows; the Linux engine cannot attach). */
package dev.nettyhttpsys.examples.cluster;
