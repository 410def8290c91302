package io.densenetflink.job.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.operators.InferenceOptions;
import io.densenetflink.operators.OperatorOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: the job repeated each operator option's key, default, description and check (the default of 256 MiB was
 * prose in four places). Now every operator setting of the job is the operator's own declaration.
 */
class OperatorSettingsTest {

    @Test
    void everyOperatorOptionIsAJobSettingOfTheSameDeclaration() {
        for (OperatorOptions.Checked<?> option : OperatorOptions.all()) {
            if (option == OperatorOptions.NAME) {
                continue; // the uid prefix: the job names its one operator itself
            }
            JobSetting<?> setting = JobOptions.byKey(option.option().key()).orElseThrow(
                    () -> new AssertionError(option.option().key() + " is not a job setting"));
            assertSame(option.option(), setting.option(), setting.key());
            assertTrue(setting.isOperatorSetting(), setting.key());
        }
    }

    @Test
    void theJobChecksAnOperatorSettingWithTheOperatorsCheck() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobOptions.BATCH_SIZE.parse("0"));
        assertEquals("batch-size: must be > 0, got 0", e.getMessage());
        IllegalArgumentException device = assertThrows(IllegalArgumentException.class,
                () -> JobOptions.DEVICE.parse("tpu"));
        assertTrue(device.getMessage().startsWith("device: must be auto, cpu or gpu:N"), device.getMessage());
        IllegalArgumentException operator = assertThrows(IllegalArgumentException.class,
                () -> InferenceOptions.builder("m").maxBatchSize(0).build());
        assertEquals("inference options: batch-size must be > 0, got 0", operator.getMessage());
    }

    @Test
    void theDefaultsAreTheOperators() {
        InferenceOptions defaults = InferenceOptions.builder("m").build();
        for (JobSetting<?> setting : List.of(JobOptions.BATCH_SIZE, JobOptions.TOP_K, JobOptions.FORWARD_TIMEOUT,
                JobOptions.MODEL_POLL_INTERVAL)) {
            assertEquals(setting.option().defaultValue(), defaults.get(OperatorOptions.all().stream()
                    .filter(o -> o.option() == setting.option()).findFirst().orElseThrow()), setting.key());
        }
        assertEquals(128, defaults.maxInFlight(), "4 x batch-size when unset");
        assertEquals(20, defaults.bisectionBudget(), "4 x log2(32) when unset");
    }
}
