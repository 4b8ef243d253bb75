package dev.telescale.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.telescale.runtime.config.TelescaleConfig;
import org.slf4j.LoggerFactory;

/**
 * Applies LOG_LEVEL and LOG_FORMAT to Logback once the configuration is loaded (they may come
 * from .env, which Logback's own configuration cannot see). JSON is one object per line on
 * stderr, for log shippers; text is logback.xml's pattern.
 */
final class LoggingSetup {
    private LoggingSetup() {
    }

    static void apply(TelescaleConfig.Logging logging) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(logging.level().name(), Level.INFO));
        if (logging.format() != TelescaleConfig.LogFormat.JSON) {
            return;
        }
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithFormattedMessage(true);
        encoder.setWithArguments(false);
        encoder.setWithMessage(false);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("JSON");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }
}
