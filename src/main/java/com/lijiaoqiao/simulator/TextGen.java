package com.lijiaoqiao.simulator;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic text generation and token counting. All methods are thread-safe. */
final class TextGen {
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  /** The gateway's own tokenizer: its tables (~40 MB of heap, half a second to load) are held once per process. */
  static final Encoding O200K = com.lijiaoqiao.protocol.TokenCounter.o200k();
  static final Encoding CL100K = REGISTRY.getEncoding(EncodingType.CL100K_BASE);

  private static final String[] CANDIDATES = (
      "the of and to in is that it for on with as was at by this be from or have an they which one you were all we "
          + "can her has there been if more when will would who so no time out up about into than them only other new "
          + "some could these two may first then do any like my now over such our man me even most made after also did "
          + "many before must through back years where much your way well down should because each just those people "
          + "how too little state good very make world still own see men work long get here between both life being "
          + "under never day same another know while last might us great old year off come since against go came right "
          + "used take three light river cloud stone garden signal answer model token stream gateway simple quiet "
          + "green blue bright clear north south east west water fire earth paper market bridge city road music "
          + "number system program question result value window table field house story point group power money")
      .split(" ");

  /** Words that are exactly one token both bare and with a leading space, in o200k and cl100k. */
  static final String[] WORDS;
  /** The same words with a leading space (pre-built to avoid concatenation on the hot path). */
  static final String[] SPACED;

  static {
    List<String> ok = new ArrayList<>();
    for (String w : CANDIDATES) {
      if (O200K.countTokensOrdinary(w) == 1 && O200K.countTokensOrdinary(" " + w) == 1
          && CL100K.countTokensOrdinary(w) == 1 && CL100K.countTokensOrdinary(" " + w) == 1 && !ok.contains(w)) {
        ok.add(w);
      }
    }
    WORDS = ok.toArray(String[]::new);
    SPACED = new String[WORDS.length];
    for (int i = 0; i < WORDS.length; i++) {
      SPACED[i] = " " + WORDS[i];
    }
  }

  static final int DEFAULT_TOKENS = 40;

  private TextGen() {}

  static Encoding encodingFor(String model) {
    if (model.startsWith("gpt-4o") || model.startsWith("gpt-4.1") || model.startsWith("gpt-5") || model.startsWith("o1")
        || model.startsWith("o3") || model.startsWith("o4") || model.startsWith("chatgpt")) {
      return O200K;
    }
    return CL100K;
  }

  static int count(Encoding enc, String s) {
    if (s == null || s.isEmpty()) {
      return 0;
    }
    return enc.countTokensOrdinary(s);
  }

  /** 64-bit FNV-1a with a final avalanche. */
  static long hash(long h, CharSequence s) {
    if (s == null) {
      return h;
    }
    for (int i = 0, n = s.length(); i < n; i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  static final long SEED = 0xcbf29ce484222325L;

  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb3fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /**
   * Generates {@code n} pieces: the first is a bare word, the rest are " word". Each piece is exactly one token, so the
   * joined text has exactly {@code n} tokens.
   */
  static String[] pieces(long seed, int n) {
    SplittableRandom r = new SplittableRandom(mix(seed));
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      int idx = r.nextInt(WORDS.length);
      out[i] = i == 0 ? WORDS[idx] : SPACED[idx];
    }
    return out;
  }

  static String join(String[] pieces) {
    int len = 0;
    for (String p : pieces) {
      len += p.length();
    }
    StringBuilder sb = new StringBuilder(len);
    for (String p : pieces) {
      sb.append(p);
    }
    return sb.toString();
  }

  /** Splits text into chunks: one per piece by default, or exactly {@code chunks} when given (>0). */
  static List<String> chunk(String[] pieces, String text, int chunks) {
    List<String> out = new ArrayList<>(chunks > 0 ? chunks : pieces.length);
    if (chunks <= 0 || chunks == pieces.length) {
      for (String p : pieces) {
        out.add(p);
      }
      return out;
    }
    if (chunks < pieces.length) {
      int base = pieces.length / chunks;
      int extra = pieces.length % chunks;
      int idx = 0;
      for (int c = 0; c < chunks; c++) {
        int take = base + (c < extra ? 1 : 0);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < take; k++) {
          sb.append(pieces[idx++]);
        }
        out.add(sb.toString());
      }
      return out;
    }
    return splitChars(text, chunks);
  }

  /** Splits a string into {@code n} roughly equal parts (fewer if the string is shorter than n). */
  static List<String> splitChars(String text, int n) {
    List<String> out = new ArrayList<>();
    int len = text.length();
    if (len == 0) {
      out.add("");
      return out;
    }
    n = Math.max(1, Math.min(n, len));
    int base = len / n;
    int extra = len % n;
    int pos = 0;
    for (int c = 0; c < n; c++) {
      int take = base + (c < extra ? 1 : 0);
      out.add(text.substring(pos, pos + take));
      pos += take;
    }
    return out;
  }

  /**
   * A value taken from the prompt: the last `backquoted` span (so "run `ls -l`" gives a shell tool "ls -l"), else
   * the last capitalized word that does not start a sentence (a name: "… in Paris? Use …" gives "Paris"), else
   * the longest word; or a generated word.
   */
  static String promptWord(String lastUserText, long seed) {
    if (lastUserText != null) {
      int close = lastUserText.lastIndexOf('`');
      int open = close > 0 ? lastUserText.lastIndexOf('`', close - 1) : -1;
      if (open >= 0 && close - open > 1 && close - open <= 1000) {
        return lastUserText.substring(open + 1, close);
      }
      String best = null;
      String cap = null;
      int i = 0;
      int n = lastUserText.length();
      while (i < n) {
        while (i < n && !Character.isLetterOrDigit(lastUserText.charAt(i))) {
          i++;
        }
        int s = i;
        while (i < n && Character.isLetterOrDigit(lastUserText.charAt(i))) {
          i++;
        }
        if (i > s) {
          String w = lastUserText.substring(s, i);
          if (s > 0 && Character.isUpperCase(w.charAt(0)) && !sentenceStart(lastUserText, s)) {
            cap = w;
          }
          if (best == null || w.length() > best.length()) {
            best = w;
          }
        }
      }
      if (cap != null) {
        return cap;
      }
      if (best != null) {
        return best;
      }
    }
    return WORDS[(int) Long.remainderUnsigned(mix(seed), WORDS.length)];
  }

  private static boolean sentenceStart(String text, int at) {
    int i = at - 1;
    while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
      i--;
    }
    return i < 0 || ".?!:>".indexOf(text.charAt(i)) >= 0;
  }
}
