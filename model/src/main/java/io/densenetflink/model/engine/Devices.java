package io.densenetflink.model.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** Parses the device names users write: {@code cpu}, {@code gpu:N} (or {@code gpu} for 0), {@code auto}. */
public final class Devices {

    private Devices() {}

    /** {@code auto} picks GPU 0 when the engine sees a GPU, else the CPU. */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) {
            return Device.cpu();
        }
        if (t.equals("auto")) {
            MxEngineSetup.ensureConfigured();
            return Engine.getEngine(MxEngineSetup.ENGINE).getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (t.equals("gpu")) {
            return Device.gpu(0);
        }
        if (t.startsWith("gpu:")) {
            try {
                int index = Integer.parseInt(t.substring(4));
                if (index >= 0) {
                    return Device.gpu(index);
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new IllegalArgumentException("device: expected auto, cpu or gpu:N, got '" + text + "'");
    }
}
