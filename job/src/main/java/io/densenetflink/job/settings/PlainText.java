package io.densenetflink.job.settings;

import java.util.EnumSet;
import org.apache.flink.configuration.description.Description;
import org.apache.flink.configuration.description.Formatter;
import org.apache.flink.configuration.description.TextElement;

/** Renders a Flink option {@link Description} as plain text (for help texts and the README's table). */
final class PlainText extends Formatter {

    static String of(Description description) {
        return new PlainText().format(description);
    }

    @Override
    protected void formatLink(StringBuilder state, String link, String description) {
        state.append(description).append(" (").append(link).append(')');
    }

    @Override
    protected void formatLineBreak(StringBuilder state) {
        state.append(' ');
    }

    @Override
    protected void formatText(StringBuilder state, String format, String[] elements,
            EnumSet<TextElement.TextStyle> styles) {
        state.append(String.format(format, (Object[]) elements));
    }

    @Override
    protected void formatList(StringBuilder state, String[] entries) {
        state.append(String.join("; ", entries));
    }

    @Override
    protected Formatter newInstance() {
        return new PlainText();
    }
}
