package io.densenetflink.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DenseNetConfigTest {

    @Test
    void imagenetPresetsHaveThePapersLayouts() {
        assertArrayEquals(new int[] {6, 12, 24, 16}, DenseNetConfig.preset("densenet121").blocks());
        assertArrayEquals(new int[] {6, 12, 32, 32}, DenseNetConfig.preset("densenet169").blocks());
        assertArrayEquals(new int[] {6, 12, 48, 32}, DenseNetConfig.preset("densenet201").blocks());
        assertArrayEquals(new int[] {6, 12, 64, 48}, DenseNetConfig.preset("densenet264").blocks());
        DenseNetConfig d161 = DenseNetConfig.preset("densenet161");
        assertEquals(48, d161.growthRate());
        assertEquals(96, d161.initFeatures());
        assertEquals(1024, DenseNetConfig.preset("densenet121").finalFeatures());
        assertEquals(121, DenseNetConfig.preset("densenet121").depth());
        assertEquals(DenseNetConfig.Stem.IMAGENET, d161.stem());
    }

    @Test
    void cifarBcFamilyFollowsDepthAndGrowthRate() {
        DenseNetConfig c = DenseNetConfig.preset("densenet-bc-100-12");
        assertArrayEquals(new int[] {16, 16, 16}, c.blocks());
        assertEquals(12, c.growthRate());
        assertEquals(24, c.initFeatures());
        assertEquals(DenseNetConfig.Stem.CIFAR, c.stem());
        assertEquals(4, c.bnSize());
        assertEquals(100, c.depth());
        assertArrayEquals(new int[] {2, 2, 2}, DenseNetConfig.preset("densenet-bc-16-8").blocks());
    }

    @Test
    void badPresetsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DenseNetConfig.preset("densenet-bc-101-12"));
        assertTrue(e.getMessage().contains("(L - 4) % 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DenseNetConfig.preset("resnet50"));
        assertTrue(e.getMessage().contains("densenet121"), e.getMessage());
    }

    @Test
    void badFieldsAreNamed() {
        assertField("growth_rate", DenseNetConfig.builder().growthRate(0).blocks(1));
        assertField("blocks", DenseNetConfig.builder().blocks(2, 0));
        assertField("blocks", DenseNetConfig.builder());
        assertField("init_features", DenseNetConfig.builder().blocks(1).initFeatures(-1));
        assertField("bn_size", DenseNetConfig.builder().blocks(1).bnSize(-1));
        assertField("compression", DenseNetConfig.builder().blocks(1).compression(1.5f));
        assertField("compression", DenseNetConfig.builder().blocks(1).compression(0f));
        assertField("drop_rate", DenseNetConfig.builder().blocks(1).dropRate(1f));
        assertField("num_classes", DenseNetConfig.builder().blocks(1).numClasses(0));
        assertField("input_channels", DenseNetConfig.builder().blocks(1).inputChannels(0));
        assertField("stem", DenseNetConfig.builder().blocks(1).stem(null));
    }

    private static void assertField(String field, DenseNetConfig.Builder builder) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
    }

    @Test
    void transitionsCompressWithFloorLikeTorchvision() {
        DenseNetConfig c = DenseNetConfig.builder().growthRate(5).blocks(1, 1).initFeatures(4).build();
        assertEquals(4, c.channelsIntoBlock(1)); // floor((4 + 5) * 0.5)
        assertEquals(9, c.finalFeatures());
        assertEquals(c, c.toBuilder().build());
    }
}
