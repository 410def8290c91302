package io.densenetflink.operators.types;

import io.densenetflink.operators.Frame;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Tells Flink's type extraction to use {@link FrameSerializer} for {@link Frame}. */
public final class FrameTypeInfoFactory extends TypeInfoFactory<Frame> {

    @Override
    public TypeInformation<Frame> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return FrameSerializer.TYPE_INFO;
    }
}
