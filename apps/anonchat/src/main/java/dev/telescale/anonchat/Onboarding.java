package dev.telescale.anonchat;

import static dev.telescale.anonchat.Keyboards.button;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Onboarding (gender, then age; the step is stored, so it survives restarts and instance changes),
 * the profile screen, language choice and the VIP partner filters.
 */
final class Onboarding {
    private Onboarding() {
    }

    /** Asks for what onboarding still needs. */
    static void ask(Session s) {
        String step = s.profile.step() == null ? "gender" : s.profile.step();
        if (step.equals("age")) {
            s.say(s.text("onboarding.age", s.settings.minAge()), removeKeyboard());
        } else {
            s.say(s.text("onboarding.gender"), genderKeyboard(s, "g"));
        }
    }

    /** A message during onboarding: the age, or a reminder of what is asked. */
    static void answer(Session s, JsonNode message) {
        if (!"age".equals(s.profile.step())) {
            ask(s);
            return;
        }
        Integer age = acceptableAge(s, message.path("text").asText(""), "onboarding.age_invalid");
        if (age == null) {
            return;
        }
        boolean first = s.profile.onboardedAt() == null;
        s.store.update(s.userId, "age = :age, step = NULL, onboarded_at = coalesce(onboarded_at, :now)", "age", age, "now", s.now);
        s.reload();
        if (first) {
            Vip.countReferral(s);
            s.sayWithKeyboard(s.text("onboarding.done"));
        } else {
            s.sayWithKeyboard(s.text("profile.saved"));
        }
    }

    /** The age in {@code text} if it is one and old enough; otherwise tells the user why and returns null. */
    private static Integer acceptableAge(Session s, String text, String invalidKey) {
        Integer age = parseAge(text);
        if (age == null) {
            s.say(s.text(invalidKey));
            return null;
        }
        if (age < s.settings.minAge()) {
            s.say(s.text("onboarding.too_young", s.settings.minAge()));
            return null;
        }
        return age;
    }

    static Integer parseAge(String text) {
        try {
            int age = Integer.parseInt(text.trim());
            return age >= 1 && age <= 99 ? age : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static void profile(Session s) {
        Profile p = s.profile;
        String vip = p.isVip(s.now) ? s.text("profile.vip_until", Texts.date(p.vipUntil(), s.lang())) : s.text("profile.no_vip");
        String filter = s.text("profile.filter", p.wantGender() == null ? s.text("filter.gender_any") : s.text("filter.gender_" + p.wantGender()),
                p.wantAgeMin() == null ? s.text("filter.age_any") : p.wantAgeMin() + "-" + p.wantAgeMax());
        s.say(s.text("profile.text", p.no(), s.text("gender." + p.gender()), p.age(), s.text("language.name"), vip, filter),
                Keyboards.inline(List.of(
                        List.of(button(s.text("profile.change_gender"), "p:gender"), button(s.text("profile.change_age"), "p:age")),
                        List.of(button(s.text("profile.change_language"), "p:lang"), button(s.text("profile.filters"), "p:filter")))));
    }

    static void askLanguage(Session s) {
        s.say(s.text("language.ask"), Keyboards.inline(List.of(List.of(
                button("English", "lang:en"), button("Русский", "lang:ru")))));
    }

    static void filters(Session s) {
        if (!s.isVip()) {
            s.say(s.text("filter.vip_only"));
            return;
        }
        s.say(s.text("filter.ask"), AnonChatApplication.filterKeyboard(s));
    }

    /** Inline buttons of onboarding, profile and filters; returns the callback answer text. */
    static String callback(Session s, String[] parts, JsonNode query) {
        switch (parts[0]) {
            case "g" -> {
                if (parts.length < 2 || !List.of("m", "f").contains(parts[1])) {
                    return s.text("report.invalid");
                }
                boolean onboarding = !s.profile.onboarded();
                s.store.update(s.userId, "gender = :gender" + (onboarding ? ", step = 'age'" : ""), "gender", parts[1]);
                s.reload();
                if (onboarding) {
                    ask(s);
                } else {
                    s.sayWithKeyboard(s.text("profile.saved"));
                }
                return s.text("gender." + parts[1]);
            }
            case "lang" -> {
                if (parts.length < 2 || !Keyboards.LANGUAGES.contains(parts[1])) {
                    return s.text("report.invalid");
                }
                s.store.update(s.userId, "lang = :lang", "lang", parts[1]);
                s.reload();
                if (s.profile.onboarded()) {
                    s.sayWithKeyboard(s.text("language.saved"));
                } else {
                    ask(s);
                }
                return s.text("language.name");
            }
            case "p" -> {
                if (!s.profile.onboarded() || parts.length < 2) {
                    return null;
                }
                switch (parts[1]) {
                    case "gender" -> s.say(s.text("onboarding.gender"), genderKeyboard(s, "g"));
                    case "age" -> s.say(s.text("profile.age_command"));
                    case "lang" -> askLanguage(s);
                    case "filter" -> filters(s);
                    default -> {
                    }
                }
                return null;
            }
            case "f" -> {
                if (!s.isVip()) {
                    return s.text("filter.vip_only");
                }
                if (parts.length < 3) {
                    return s.text("report.invalid");
                }
                if (parts[1].equals("g") && List.of("any", "m", "f").contains(parts[2])) {
                    s.store.update(s.userId, "want_gender = :g", "g", parts[2].equals("any") ? null : parts[2]);
                } else if (parts[1].equals("a")) {
                    if (parts[2].equals("any")) {
                        s.store.update(s.userId, "want_age_min = NULL, want_age_max = NULL");
                    } else {
                        String[] range = parts[2].split("-");
                        Integer min = range.length == 2 ? parseAge(range[0]) : null;
                        Integer max = range.length == 2 ? parseAge(range[1]) : null;
                        if (min == null || max == null || min > max) {
                            return s.text("report.invalid");
                        }
                        s.store.update(s.userId, "want_age_min = :min, want_age_max = :max", "min", min, "max", max);
                    }
                } else {
                    return s.text("report.invalid");
                }
                return s.text("filter.saved");
            }
            default -> {
                return s.text("report.invalid");
            }
        }
    }

    /** /age <n>: changes the age after onboarding. */
    static void changeAge(Session s, String argument) {
        Integer age = acceptableAge(s, argument, "profile.age_command");
        if (age == null) {
            return;
        }
        s.store.update(s.userId, "age = :age", "age", age);
        s.sayWithKeyboard(s.text("profile.saved"));
    }

    private static JsonNode genderKeyboard(Session s, String prefix) {
        return Keyboards.inline(List.of(List.of(button(s.text("gender.m"), prefix + ":m"), button(s.text("gender.f"), prefix + ":f"))));
    }

    private static JsonNode removeKeyboard() {
        ObjectNode remove = JsonNodeFactory.instance.objectNode();
        remove.put("remove_keyboard", true);
        return remove;
    }
}
