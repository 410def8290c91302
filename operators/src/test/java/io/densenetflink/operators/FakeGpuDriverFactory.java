package io.densenetflink.operators;

import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceDriver;
import org.apache.flink.api.common.externalresource.ExternalResourceDriverFactory;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.runtime.externalresource.ExternalResourceInfoProvider;
import org.apache.flink.runtime.externalresource.ExternalResourceUtils;

/**
 * An external resource driver for resource {@code gpu} that hands out GPU indices 0 .. amount-1 without any
 * hardware, the way Flink's {@code GPUDriver} reports the GPUs of a task manager (property {@code index}).
 */
public final class FakeGpuDriverFactory implements ExternalResourceDriverFactory {

    @Override
    public ExternalResourceDriver createExternalResourceDriver(Configuration config) {
        return amount -> {
            Set<ExternalResourceInfo> gpus = new LinkedHashSet<>();
            for (int i = 0; i < amount; i++) {
                gpus.add(new GpuIndex(i));
            }
            return gpus;
        };
    }

    /**
     * What a task manager configured with {@code external-resources: gpu}, {@code external-resource.gpu.amount:
     * N} and this driver offers its tasks, built by Flink's own {@link ExternalResourceUtils}.
     */
    public static ExternalResourceInfoProvider taskManagerWithGpus(int amount) {
        Configuration config = new Configuration();
        config.set(ExternalResourceOptions.EXTERNAL_RESOURCE_LIST, List.of("gpu"));
        config.setString(ExternalResourceOptions.getAmountConfigOptionForResource("gpu"), String.valueOf(amount));
        config.setString(ExternalResourceOptions.getExternalResourceDriverFactoryConfigOptionForResource("gpu"),
                FakeGpuDriverFactory.class.getName());
        PluginManager plugins = new PluginManager() {
            @Override
            @SuppressWarnings("unchecked")
            public <P> Iterator<P> load(Class<P> service) {
                return service == ExternalResourceDriverFactory.class
                        ? (Iterator<P>) List.of(new FakeGpuDriverFactory()).iterator()
                        : Collections.emptyIterator();
            }
        };
        return ExternalResourceUtils.createStaticExternalResourceInfoProviderFromConfig(config, plugins);
    }

    private record GpuIndex(int index) implements ExternalResourceInfo {
        @Override
        public Optional<String> getProperty(String key) {
            return key.equals("index") ? Optional.of(String.valueOf(index)) : Optional.empty();
        }

        @Override
        public Collection<String> getKeys() {
            return List.of("index");
        }
    }
}
