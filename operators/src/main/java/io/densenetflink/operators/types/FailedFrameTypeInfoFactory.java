package io.densenetflink.operators.types;

import io.densenetflink.operators.FailedFrame;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Tells Flink's type extraction to use {@link FailedFrameSerializer} for {@link FailedFrame}. */
public final class FailedFrameTypeInfoFactory extends TypeInfoFactory<FailedFrame> {

    @Override
    public TypeInformation<FailedFrame> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return FailedFrameSerializer.TYPE_INFO;
    }
}
