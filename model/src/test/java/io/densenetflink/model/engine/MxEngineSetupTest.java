package io.densenetflink.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MxEngineSetupTest {

    @Test
    void openMpThreadsWaitPassivelyUnlessTheEnvironmentChose() {
        MxEngineSetup.ensureConfigured();
        String chosenPolicy = System.getenv(MxEngineSetup.WAIT_POLICY_VARIABLE);
        String chosenSpin = System.getenv(MxEngineSetup.SPIN_COUNT_VARIABLE);
        String expected = chosenPolicy != null ? chosenPolicy : chosenSpin != null ? null : MxEngineSetup.PASSIVE;
        // libgomp reads it when MXNet's library loads, which ensureConfigured has done by now.
        assertEquals(expected, MxEngineSetup.processEnv(MxEngineSetup.WAIT_POLICY_VARIABLE));
    }
}
