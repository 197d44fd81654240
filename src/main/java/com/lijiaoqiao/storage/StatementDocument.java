package com.lijiaoqiao.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * A monthly invoice or supplier statement as a file: a title, a few facts (period, currency, totals) and one table
 * whose rows name their section. Rendered as CSV (the same columns as the API's CSV) and as PDF through PDFBox.
 * Amounts arrive already formatted from exact micro-units; nothing here does arithmetic on money.
 */
public record StatementDocument(String title, List<Fact> facts, List<String> columns, List<Row> rows) {
  public record Fact(String label, String value) {}

  public record Row(String section, List<String> cells) {}

  public byte[] csv() {
    StringBuilder sb = new StringBuilder("section");
    for (String c : columns) sb.append(',').append(cell(c));
    sb.append('\n');
    for (Fact f : facts) {
      sb.append("summary,").append(cell(f.label()));
      for (int i = 1; i < columns.size() - 1; i++) sb.append(',');
      sb.append(',').append(cell(f.value())).append('\n');
    }
    for (Row r : rows) {
      sb.append(cell(r.section()));
      for (String c : r.cells()) sb.append(',').append(cell(c));
      sb.append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula. */
  static String cell(String v) {
    if (v == null) return "";
    String s = v;
    if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 && !s.matches("-?[0-9.]+")) s = "'" + s;
    boolean quote = s.indexOf('"') >= 0 || s.indexOf(',') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  public byte[] pdf() {
    try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
      PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
      Pages p = new Pages(doc);
      p.text(bold, 16, 50, title);
      p.gap(8);
      for (Fact f : facts) p.text(regular, 10, 50, f.label() + ": " + f.value());
      p.gap(10);
      float width = (PDRectangle.A4.getWidth() - 100) / (columns.size() + 1);
      String section = null;
      for (Row r : rows) {
        if (!r.section().equals(section)) {
          section = r.section();
          p.gap(6);
          p.text(bold, 11, 50, section.replace('_', ' '));
          p.row(bold, 9, width, columns);
        }
        p.row(regular, 9, width, r.cells());
      }
      p.close();
      doc.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes lines top-down, starting a new A4 page when one is full. */
  private static final class Pages {
    private final PDDocument doc;
    private PDPageContentStream cs;
    private float y;

    Pages(PDDocument doc) throws IOException {
      this.doc = doc;
      newPage();
    }

    private void newPage() throws IOException {
      if (cs != null) cs.close();
      PDPage page = new PDPage(PDRectangle.A4);
      doc.addPage(page);
      cs = new PDPageContentStream(doc, page);
      y = PDRectangle.A4.getHeight() - 50;
    }

    void gap(float h) {
      y -= h;
    }

    void text(PDType1Font font, float size, float x, String s) throws IOException {
      if (y < 60) newPage();
      cs.beginText();
      cs.setFont(font, size);
      cs.newLineAtOffset(x, y);
      cs.showText(encodable(font, s));
      cs.endText();
      y -= size + 5;
    }

    void row(PDType1Font font, float size, float width, List<String> cells) throws IOException {
      if (y < 60) newPage();
      float x = 50 + width; // the first column's width is left for the section's indent
      for (String c : cells) {
        cs.beginText();
        cs.setFont(font, size);
        cs.newLineAtOffset(x - width * 0.9f, y);
        cs.showText(encodable(font, fit(c == null ? "" : c, 28)));
        cs.endText();
        x += width;
      }
      y -= size + 4;
    }

    void close() throws IOException {
      cs.close();
    }

    private static String fit(String s, int max) {
      return s.length() <= max ? s : s.substring(0, max - 1) + "~";
    }

    /** The standard fonts cover WinAnsi only: any other character is shown as '?'. */
    private static String encodable(PDType1Font font, String s) {
      StringBuilder sb = new StringBuilder(s.length());
      s.codePoints().forEach(cp -> {
        String ch = new String(Character.toChars(cp));
        try {
          font.encode(ch);
          sb.append(ch);
        } catch (IOException | IllegalArgumentException e) {
          sb.append('?');
        }
      });
      return sb.toString();
    }
  }
}
