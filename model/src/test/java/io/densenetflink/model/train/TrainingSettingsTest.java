package io.densenetflink.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.densenetflink.model.DenseNetConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: the library's errors named command-line flags ("--batch-size must be > 0"); they name the setting, as
 * checkpoints record it, and the command line translates to its flags.
 */
class TrainingSettingsTest {

    private static TrainingSettings.Builder builder() {
        return TrainingSettings.builder(DenseNetConfig.preset("densenet-bc-28-16"), Path.of("out"));
    }

    @Test
    void aBadSettingIsNamedAsTheSettingNotAFlag() {
        assertEquals("batch_size must be > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> builder().batchSize(0).build()).getMessage());
        assertEquals("learning_rate must be > 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> builder().learningRate(-1).build()).getMessage());
    }

    @Test
    void theBuilderStartsFromTheDeclaredDefaults() {
        TrainingSettings s = builder().build();
        assertEquals(TrainingSettings.DEFAULT_BATCH_SIZE, s.batchSize());
        assertEquals(TrainingSettings.DEFAULT_LEARNING_RATE, s.learningRate());
        assertEquals(TrainingSettings.DEFAULT_WEIGHT_DECAY, s.weightDecay());
        assertEquals(TrainingSettings.DEFAULT_SEED, s.seed());
        assertEquals(TrainingSettings.DEFAULT_VALIDATION_SIZE, s.validationSize());
        assertEquals(TrainingSettings.DEFAULT_PADDING, s.padding());
    }
}
