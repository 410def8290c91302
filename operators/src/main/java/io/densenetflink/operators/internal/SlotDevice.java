package io.densenetflink.operators.internal;

import ai.djl.Device;
import io.densenetflink.model.engine.Devices;
import java.util.List;

/**
 * Picks a subtask's device. {@code auto} takes the GPUs Flink's external resource framework assigned to the
 * task manager (property {@code index} of resource {@code gpu}) and spreads subtasks over them by subtask
 * index; with none assigned (a MiniCluster, a CPU-only cluster) it is the CPU.
 */
final class SlotDevice {

    /** The chosen device and why, for the log. */
    record Choice(Device device, String reason) {}

    private SlotDevice() {}

    static Choice choose(String option, List<Integer> assignedGpus, int subtaskIndex) {
        if (!option.trim().equalsIgnoreCase("auto")) {
            return new Choice(Devices.parse(option), "configured as '" + option + "'");
        }
        if (assignedGpus.isEmpty()) {
            return new Choice(Device.cpu(), "auto: Flink assigned no GPU to this task manager");
        }
        int gpu = assignedGpus.get(subtaskIndex % assignedGpus.size());
        return new Choice(Device.gpu(gpu), "auto: GPU " + gpu + " of the task manager's " + assignedGpus
                + " (subtask " + subtaskIndex + ")");
    }
}
