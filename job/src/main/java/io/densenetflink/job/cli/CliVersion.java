package io.densenetflink.job.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (or "development" when run from classes). */
final class CliVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = CliVersion.class.getPackage().getImplementationVersion();
        return new String[] {"densenet " + (v == null ? "development" : v)};
    }
}
