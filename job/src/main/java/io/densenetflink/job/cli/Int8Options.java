package io.densenetflink.job.cli;

import io.densenetflink.model.lowp.CalibrationMethod;
import io.densenetflink.model.lowp.ConcatRanges;
import io.densenetflink.model.lowp.Int8Quantizer;
import io.densenetflink.model.lowp.WeightGranularity;
import picocli.CommandLine.Option;

/** How an int8 model is calibrated and quantized (quantize, bench --precision int8). */
final class Int8Options {

    @Option(names = "--method", defaultValue = "naive", paramLabel = "naive|entropy",
            description = "int8 calibration: naive (observed min/max, default) or entropy (KL-optimal clipping).")
    String method;

    @Option(names = "--granularity", defaultValue = "channel-wise", paramLabel = "channel-wise|tensor-wise",
            description = "int8 weight scales per output channel (default) or per tensor.")
    String granularity;

    @Option(names = "--int8-stem", defaultValue = "auto", paramLabel = "auto|int8|fp32",
            description = "int8 convolutions that read the image: auto (int8 where oneDNN has AMX, default), int8, fp32.")
    String stem;

    @Option(names = "--concat-ranges", defaultValue = "aligned", paramLabel = "aligned|shared|separate",
            description = "int8 ranges of concatenated tensors: aligned (default: few rescales), shared (none, coarsest) or separate.")
    String concatRanges;

    Int8Quantizer.Settings settings() {
        return Int8Quantizer.Settings.defaults().withMethod(CalibrationMethod.parse(method))
                .withGranularity(WeightGranularity.parse(granularity)).withStem(Int8Quantizer.Stem.parse(stem))
                .withConcatRanges(ConcatRanges.parse(concatRanges));
    }
}
