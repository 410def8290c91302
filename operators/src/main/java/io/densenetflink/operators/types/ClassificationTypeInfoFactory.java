package io.densenetflink.operators.types;

import io.densenetflink.operators.Classification;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Tells Flink's type extraction to use {@link ClassificationSerializer} for {@link Classification}. */
public final class ClassificationTypeInfoFactory extends TypeInfoFactory<Classification> {

    @Override
    public TypeInformation<Classification> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return ClassificationSerializer.TYPE_INFO;
    }
}
