package com.lijiaoqiao.storage;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cleans a body before it is stored: secrets always (platform keys, common upstream API keys, bearer tokens, and the
 * serving supplier's own credential), and, as configured, e-mail addresses, phone numbers and card numbers (digit
 * runs of 13–19 that pass the Luhn check, so order numbers and timestamps mostly survive).
 */
public final class Redactor {
  private static final Pattern SECRETS = Pattern.compile(
      "lgw-[A-Za-z0-9]{8,}"                                  // platform keys
      + "|sk-(?:ant-|proj-)?[A-Za-z0-9_\\-]{16,}"            // OpenAI / Anthropic style keys
      + "|AKIA[0-9A-Z]{16}"                                   // AWS access key ids
      + "|AIza[0-9A-Za-z_\\-]{30,}"                           // Google API keys
      + "|(?i:bearer)\\s+[A-Za-z0-9._~+/=\\-]{16,}");
  private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+\\-]+@[A-Za-z0-9.\\-]+\\.[A-Za-z]{2,}");
  private static final Pattern CARD = Pattern.compile("(?<![0-9])(?:[0-9][ \\-]?){12,18}[0-9](?![0-9])");
  private static final Pattern PHONE = Pattern.compile(
      "(?<![0-9A-Za-z])(?:\\+[0-9]{1,3}[ \\-.]?)?(?:\\([0-9]{2,4}\\)[ \\-.]?)?[0-9]{2,4}(?:[ \\-.][0-9]{2,4}){1,4}(?![0-9])"
      + "|(?<![0-9])1[3-9][0-9]{9}(?![0-9])");

  private final boolean emails;
  private final boolean phones;
  private final boolean cards;

  public Redactor(boolean emails, boolean phones, boolean cards) {
    this.emails = emails;
    this.phones = phones;
    this.cards = cards;
  }

  /** The text with secrets (and the configured personal data) replaced; {@code extraSecret} too when given. */
  public String clean(String text, String extraSecret) {
    if (text == null || text.isEmpty()) return text;
    String s = text;
    if (extraSecret != null && extraSecret.length() >= 6) s = s.replace(extraSecret, "[secret]");
    s = SECRETS.matcher(s).replaceAll("[secret]");
    if (emails) s = EMAIL.matcher(s).replaceAll("[email]");
    if (cards) s = replaceCards(s);
    if (phones) s = replacePhones(s);
    return s;
  }

  private static String replaceCards(String s) {
    Matcher m = CARD.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String digits = m.group().replaceAll("[ \\-]", "");
      m.appendReplacement(out, luhn(digits) ? "[card]" : Matcher.quoteReplacement(m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Phone-like runs of 7 to 15 digits (E.164's longest), grouped or not. */
  private static String replacePhones(String s) {
    Matcher m = PHONE.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int digits = m.group().replaceAll("[^0-9]", "").length();
      boolean date = m.group().matches("[0-9]{4}-[0-9]{2}-[0-9]{2}.*");
      boolean phone = !date && digits >= 7 && digits <= 15 && (m.group().startsWith("+") || m.group().matches(".*[ \\-.()].*")
          || m.group().matches("1[3-9][0-9]{9}"));
      m.appendReplacement(out, phone ? "[phone]" : Matcher.quoteReplacement(m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  static boolean luhn(String digits) {
    int sum = 0;
    boolean dbl = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (dbl) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  }
}
