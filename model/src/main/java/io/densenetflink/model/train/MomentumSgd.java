package io.densenetflink.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.densenetflink.model.ModelLoadException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum and L2 weight decay, one fused MXNet {@code sgd_mom_update} per parameter:
 * {@code v = momentum * v - lr * (grad + wd * w); w += v}.
 *
 * <p>The momentum buffers are held here under the parameters' torchvision names (rather than inside DJL's
 * {@code Sgd}, which keeps them private), so a checkpoint can save and restore them.
 */
final class MomentumSgd {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> velocity = new LinkedHashMap<>();
    private final float momentum;
    private final float weightDecay;

    /** @param all the network's parameters by name; those without a gradient (BN statistics) are skipped */
    MomentumSgd(Map<String, Parameter> all, float momentum, float weightDecay, NDManager manager) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        for (Map.Entry<String, Parameter> e : all.entrySet()) {
            if (e.getValue().requiresGradient()) {
                parameters.put(e.getKey(), e.getValue());
                NDArray v = manager.zeros(e.getValue().getArray().getShape());
                velocity.put(e.getKey(), v);
            }
        }
    }

    /** Updates every trained parameter from its gradient (from the last backward pass). */
    void step(float learningRate) {
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray weight = e.getValue().getArray();
            try (NDArray gradient = weight.getGradient()) {
                NDList inputs = momentum > 0 ? new NDList(weight, gradient, velocity.get(e.getKey()))
                        : new NDList(weight, gradient);
                weight.getNDArrayInternal().sgdUpdate(inputs, new NDList(weight), learningRate, weightDecay, 1f,
                        -1f, momentum, true);
            }
        }
    }

    /** Number of trained parameter tensors. */
    int size() {
        return parameters.size();
    }

    /** Copies of the momentum buffers, named like the parameters, owned by {@code manager}. */
    NDList export(NDManager manager) {
        NDList out = new NDList();
        for (Map.Entry<String, NDArray> e : velocity.entrySet()) {
            NDArray copy = manager.create(e.getValue().toFloatArray(), e.getValue().getShape());
            copy.setName(e.getKey());
            out.add(copy);
        }
        return out;
    }

    /** Restores the momentum buffers from {@link #export}'s arrays; every name and shape must match. */
    void restore(NDList saved, String source) throws ModelLoadException {
        Map<String, NDArray> byName = new LinkedHashMap<>();
        for (NDArray a : saved) {
            byName.put(a.getName(), a);
        }
        if (!byName.keySet().equals(velocity.keySet())) {
            throw new ModelLoadException(source + ": optimiser state does not match this network ("
                    + byName.size() + " tensors saved, " + velocity.size() + " expected)");
        }
        for (Map.Entry<String, NDArray> e : velocity.entrySet()) {
            NDArray value = byName.get(e.getKey());
            if (!value.getShape().equals(e.getValue().getShape())) {
                throw new ModelLoadException(source + ": optimiser state " + e.getKey() + " has shape "
                        + value.getShape() + ", expected " + e.getValue().getShape());
            }
            e.getValue().set(value.toByteBuffer());
        }
    }
}
