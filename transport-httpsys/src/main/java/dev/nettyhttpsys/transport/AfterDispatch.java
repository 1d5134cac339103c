package dev.nettyhttpsys.transport;

/**
 * Work an engine loop runs once the batch of completions it is dispatching is done
 * ({@link EngineLoop#runAfterDispatch}); a connection channel delivers the requests of the batch
 * together this way.
 */
interface AfterDispatch {
    void afterDispatch();
}
