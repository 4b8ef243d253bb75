package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What the relay scenarios (relay, memory) measure of the anonymous chat: latency from the
 * sender's update being delivered (and from its planned send) to the copy reaching the partner,
 * relays per second over the measured window, and the share of messages that arrived.
 */
record RelayFigures(Histogram deliveredToRelay, Histogram plannedToRelay, double throughput, double successRate) {
    static RelayFigures of(LatencyRecorder recorder, Correctness correctness) {
        double windowSeconds = Math.max(1e-6, (recorder.lastMeasuredCallMicros() - recorder.measureFromMicros()) / 1e6);
        long arrived = correctness.expected() - correctness.lost();
        return new RelayFigures(recorder.deliveredToCall(), recorder.plannedToCall(),
                recorder.measuredAnswered() / windowSeconds,
                correctness.expected() == 0 ? 0 : arrived / (double) correctness.expected());
    }

    /** Writes successRate, throughputPerSecond and latencyMs into a result. */
    void writeTo(ObjectNode result) {
        result.put("successRate", successRate);
        result.put("throughputPerSecond", Math.round(throughput * 10) / 10.0);
        ObjectNode latency = result.putObject("latencyMs");
        latency.set("deliveredToRelay", RunFolder.percentiles(deliveredToRelay));
        latency.set("plannedSendToRelay", RunFolder.percentiles(plannedToRelay));
    }

    /** Writes the run's counts: messages sent and refused, deliveries, relays, failed and refused bot calls. */
    static void writeCounts(ObjectNode counts, long sent, long sendErrors, LatencyRecorder recorder) {
        counts.put("sent", sent);
        counts.put("sendErrors", sendErrors);
        counts.put("deliveries", recorder.deliveries());
        counts.put("relayed", recorder.answered());
        counts.put("measuredRelayed", recorder.measuredAnswered());
        counts.put("failedBotCalls", recorder.failedCalls());
        counts.put("tooManyRequests", recorder.tooManyRequests());
        counts.put("unmatchedRelays", recorder.unmatchedAnswers());
    }

    /** The curves of latency.svg. */
    Map<String, Histogram> curves() {
        Map<String, Histogram> curves = new LinkedHashMap<>();
        curves.put("delivery to relay", deliveredToRelay);
        curves.put("planned send to relay", plannedToRelay);
        return curves;
    }
}
