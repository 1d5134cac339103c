package dev.nettyhttpsys.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What counts as the engine taking an operation: a send may come back copied; a positive status
 * is otherwise a system error code (the Windows backend refusing at once), never a start.
 */
class HttpSysIoOpsTest {
    private static final int ERROR_INVALID_PARAMETER = 87;

    @Test
    void aSendIsTakenWhenOkOrCopied() {
        HttpSysIoOps send = new HttpSysIoOps().send(null, 1, 0, 0);
        assertTrue(send.accepted(EngineStatus.OK));
        assertTrue(send.accepted(EngineStatus.OK_COPIED));
        assertFalse(send.accepted(EngineStatus.NO_SUCH_REQUEST));
        assertFalse(send.accepted(EngineStatus.CANCELLED));
        assertFalse(send.accepted(ERROR_INVALID_PARAMETER));
    }

    @Test
    void aBodyReadIsTakenOnlyWhenOk() {
        HttpSysIoOps read = new HttpSysIoOps().receiveBody(null, 1, 0, 0);
        assertTrue(read.accepted(EngineStatus.OK));
        assertFalse(read.accepted(1), "1 is a system error code (ERROR_INVALID_FUNCTION) for anything but a send");
        assertFalse(read.accepted(ERROR_INVALID_PARAMETER));
        assertFalse(read.accepted(EngineStatus.BUSY));
    }
}
