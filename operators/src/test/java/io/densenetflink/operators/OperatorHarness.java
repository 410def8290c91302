package io.densenetflink.operators;

import io.densenetflink.operators.internal.InferenceFunction;
import io.densenetflink.operators.types.FrameSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.externalresource.ExternalResourceInfoProvider;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;

/**
 * The operator as {@link DenseNetInference} deploys it ({@link InferenceFunction} under Flink's ordered
 * {@code AsyncWaitOperator}) in Flink's one-input test harness: processing time is driven by the test
 * (timeouts fire on {@link #setProcessingTime}), completions run when the test drains the mailbox, and the
 * operator's {@code densenet} metrics are captured by name ({@code inFlight}, {@code failures.TIMEOUT}, ...).
 */
public final class OperatorHarness implements AutoCloseable {

    private final OneInputStreamOperatorTestHarness<Frame, Either<Classification, FailedFrame>> harness;
    private final Map<String, Metric> metrics;
    private final List<Throwable> externalFailures = new CopyOnWriteArrayList<>();
    private boolean closed;

    private OperatorHarness(OneInputStreamOperatorTestHarness<Frame, Either<Classification, FailedFrame>> harness,
            Map<String, Metric> metrics) {
        this.harness = harness;
        this.metrics = metrics;
        harness.getEnvironment().setExternalFailureCauseConsumer(externalFailures::add);
    }

    /** Subtask 0 of 1, no external resources. */
    public static OperatorHarness of(InferenceOptions options) throws Exception {
        return of(options, ExternalResourceInfoProvider.NO_EXTERNAL_RESOURCES, 0, 1);
    }

    /** Subtask {@code subtask} of {@code parallelism} on a task manager whose external resources come from {@code resources}. */
    public static OperatorHarness of(InferenceOptions options, ExternalResourceInfoProvider resources, int subtask,
            int parallelism) throws Exception {
        Map<String, Metric> metrics = new ConcurrentHashMap<>();
        TestingMetricRegistry registry = TestingMetricRegistry.builder().setRegisterConsumer((metric, name, group) -> {
            String id = group.getMetricIdentifier(name);
            int at = id.lastIndexOf(".densenet.");
            if (at >= 0) {
                metrics.put(id.substring(at + ".densenet.".length()), metric);
            }
        }).build();
        TaskMetricGroup taskMetrics = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost",
                ResourceID.generate()).addJob(new JobID(), "job").addTask(ExecutionAttemptID.randomId(), "task");
        MockEnvironment environment = new MockEnvironmentBuilder().setTaskName("task").setMetricGroup(taskMetrics)
                .setExternalResourceInfoProvider(resources).setParallelism(parallelism).setMaxParallelism(128)
                .setSubtaskIndex(subtask).build();
        var harness = new OneInputStreamOperatorTestHarness<>(new AsyncWaitOperatorFactory<>(
                new InferenceFunction(options), options.timeout().toMillis(), options.maxInFlight(),
                AsyncDataStream.OutputMode.ORDERED), FrameSerializer.INSTANCE, environment);
        harness.setup(InferenceFunction.outcomeType().createSerializer(new ExecutionConfig().getSerializerConfig()));
        return new OperatorHarness(harness, metrics);
    }

    public OneInputStreamOperatorTestHarness<Frame, Either<Classification, FailedFrame>> flink() {
        return harness;
    }

    public void open() throws Exception {
        harness.open();
    }

    public void initializeState(OperatorSubtaskState state) throws Exception {
        harness.initializeState(state);
    }

    public void process(Frame frame) throws Exception {
        harness.processElement(frame, frame.eventTime());
    }

    /** Takes checkpoint {@code checkpointId} of the operator, on this (the task's) thread, as a barrier would. */
    public OperatorSubtaskState snapshot(long checkpointId) throws Exception {
        return harness.snapshot(checkpointId, checkpointId);
    }

    /** Ends the input: waits until every frame in flight is answered and emitted. */
    public void endInput() throws Exception {
        synchronized (harness.getCheckpointLock()) {
            harness.endInput();
        }
    }

    public void setProcessingTime(long millis) throws Exception {
        harness.setProcessingTime(millis);
    }

    /** Runs the completions (and timers) waiting in the task's mailbox, as the task thread would. */
    public void drainMailbox() throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    /** Drains the mailbox until {@code condition} holds; fails after {@code timeoutMillis}. */
    public void drainUntil(BooleanSupplier condition, long timeoutMillis, String what) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            drainMailbox();
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within " + timeoutMillis + " ms: " + what + "; outputs: " + outputs());
            }
            Thread.sleep(10);
        }
    }

    public List<Either<Classification, FailedFrame>> outputs() {
        return new ArrayList<>(harness.extractOutputValues());
    }

    /** The outputs as frame ids, failures as {@code REASON:id}. */
    public List<String> outputIds() {
        List<String> ids = new ArrayList<>();
        for (Either<Classification, FailedFrame> e : outputs()) {
            ids.add(e.isLeft() ? e.left().frameId() : e.right().reason() + ":" + e.right().frame().frameId());
        }
        return ids;
    }

    /** The causes with which the operator failed the task from another thread (as {@code completeExceptionally} does). */
    public List<Throwable> externalFailures() {
        return List.copyOf(externalFailures);
    }

    public long counter(String name) {
        Metric m = metrics.get(name);
        return m == null ? 0 : ((Counter) m).getCount();
    }

    public Object gauge(String name) {
        Metric m = metrics.get(name);
        if (m == null) {
            throw new AssertionError("no gauge " + name + "; metrics: " + metrics.keySet());
        }
        return ((Gauge<?>) m).getValue();
    }

    /** Closes the operator (once; later calls do nothing). */
    @Override
    public void close() throws Exception {
        if (!closed) {
            closed = true;
            harness.close();
        }
    }
}
