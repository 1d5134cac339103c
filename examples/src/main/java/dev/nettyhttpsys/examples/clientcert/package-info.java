/** Client certificate facts from HTTP.SYS (Windows only: TLS is HTTP.SYS's). */
package dev.nettyhttpsys.examples.clientcert;
