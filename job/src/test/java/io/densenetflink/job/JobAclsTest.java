package io.densenetflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.densenetflink.job.settings.JobOptions;
import io.densenetflink.job.settings.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.Test;

/** The ACLs the job needs follow its settings: exactly-once adds three kinds, given limits remove two. */
class JobAclsTest {

    private static JobSettings settings() {
        return JobTestSupport.settings("127.0.0.1:9092", "acl", Path.of("model"));
    }

    private static List<String> described(JobSettings s) {
        return JobAcls.of(s).stream().map(a -> a.requirement().describe()).toList();
    }

    @Test
    void exactlyOnceNeedsReadOnItsOutputsItsTransactionalIdsAndTheBrokersTimeout() {
        JobSettings s = settings();
        String tx = s.get(JobOptions.JOB_NAME) + "." + s.deploymentId() + ".";
        assertEquals(List.of("Read on topic 'acl-frames'", "Read on group 'acl'", "Write on topic 'acl-results'",
                "Read on topic 'acl-results'", "DescribeConfigs on topic 'acl-results'",
                "Write on topic 'acl-dead-letters'", "Read on topic 'acl-dead-letters'",
                "DescribeConfigs on topic 'acl-dead-letters'",
                "Write on transactional ids starting with '" + tx + "results'",
                "Write on transactional ids starting with '" + tx + "dead-letters'",
                "DescribeConfigs on the cluster"), described(s));
    }

    /** README's example: the documented topic names and the default job name. */
    @Test
    void readmeListsTheAclsOfItsExample() throws Exception {
        JobSettings s = new JobSettings().set(JobOptions.INPUT_TOPIC, "frames").set(JobOptions.OUTPUT_TOPIC, "results")
                .set(JobOptions.DLQ_TOPIC, "dead-letters");
        String table = JobAcls.markdownTable(JobAcls.of(s));
        Path generated = Path.of("target", "job-acls.md");
        Files.writeString(generated, table);
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains(table), "README.md's ACL table is out of date: replace it with "
                + generated.toAbsolutePath());
    }

    @Test
    void givenLimitsAndAtLeastOnceNeedLess() {
        JobSettings s = settings();
        s.set(JobOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(10));
        s.set(JobOptions.OUTPUT_MAX_RECORD_BYTES, MemorySize.parse("1mb"));
        s.set(JobOptions.DLQ_MAX_RECORD_BYTES, MemorySize.parse("1mb"));
        s.set(JobOptions.GROUP_ID, "readers");
        assertEquals(8, JobAcls.of(s).size(), described(s).toString());
        s.set(JobOptions.DELIVERY, DeliveryGuaranteeOption.AT_LEAST_ONCE);
        assertEquals(List.of("Read on topic 'acl-frames'", "Read on group 'readers'", "Write on topic 'acl-results'",
                "Write on topic 'acl-dead-letters'"), described(s));
    }
}
