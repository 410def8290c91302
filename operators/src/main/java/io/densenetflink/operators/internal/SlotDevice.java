package io.densenetflink.operators.internal;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import io.densenetflink.model.engine.Devices;
import io.densenetflink.model.engine.MxEngineSetup;
import java.util.List;
import java.util.Locale;

/**
 * Picks a slot's device. {@code auto} leases one of the GPUs Flink's external resource framework assigned to
 * the task manager (property {@code index} of resource {@code gpu}; see {@link GpuLeases}) and runs on it
 * when the engine can; with none assigned (a MiniCluster, a CPU-only cluster) it is the CPU. {@code gpu:N}
 * on an engine that cannot use GPU N fails with the reason; {@code auto} falls back to the CPU and says so.
 */
final class SlotDevice {

    /** The chosen device, why, the GPU the slot leased (null: none), and whether the choice fell short of it. */
    record Choice(Device device, String reason, GpuLeases.Lease lease, boolean fellBack) {

        /** {@code cpu} or {@code gpu:N}, as the {@code device} metric shows it. */
        String name() {
            return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
        }

        /** The leased GPU's index, -1 without one. */
        int leasedGpu() {
            return lease == null ? -1 : lease.gpu();
        }

        void release() {
            if (lease != null) {
                lease.close();
            }
        }
    }

    private SlotDevice() {}

    /** GPUs the MXNet engine of this process can run on: 0 when it was built without CUDA (the CPU native library). */
    static int engineGpus() {
        MxEngineSetup.ensureConfigured();
        Engine engine = Engine.getEngine(MxEngineSetup.ENGINE);
        return engine.hasCapability(StandardCapabilities.CUDA) ? engine.getGpuCount() : 0;
    }

    /**
     * @param option {@code auto}, {@code cpu} or {@code gpu:N}
     * @param assignedGpus the GPU indices Flink assigned to this task manager
     * @param engineGpus the GPUs the engine can use ({@link #engineGpus()})
     */
    static Choice choose(String option, List<Integer> assignedGpus, int engineGpus) {
        if (!option.trim().toLowerCase(Locale.ROOT).equals("auto")) {
            Device device = Devices.parse(option);
            if (device.isGpu() && device.getDeviceId() >= engineGpus) {
                throw new IllegalArgumentException("device '" + option + "' (gpu:" + device.getDeviceId() + "): "
                        + (engineGpus == 0 ? "the MXNet engine in this process has no CUDA support (it loaded the"
                                + " CPU native library); put a CUDA build of the MXNet natives on the class path,"
                                + " or use device cpu or auto"
                                : "the MXNet engine sees only " + engineGpus + " GPU(s), 0 to " + (engineGpus - 1)));
            }
            return new Choice(device, "configured as '" + option + "'", null, false);
        }
        if (assignedGpus.isEmpty()) {
            return new Choice(Device.cpu(), "auto: Flink assigned no GPU to this task manager", null, false);
        }
        GpuLeases.Lease lease = GpuLeases.lease(assignedGpus);
        String leased = "auto: leased GPU " + lease.gpu() + " of the task manager's " + assignedGpus;
        if (engineGpus == 0) {
            return new Choice(Device.cpu(), leased + ", but the MXNet engine in this process has no CUDA support"
                    + " (it loaded the CPU native library): running on the CPU", lease, true);
        }
        if (lease.gpu() >= engineGpus) {
            return new Choice(Device.cpu(), leased + ", but the MXNet engine sees only " + engineGpus
                    + " GPU(s): running on the CPU", lease, true);
        }
        return new Choice(Device.gpu(lease.gpu()), leased, lease, false);
    }
}
