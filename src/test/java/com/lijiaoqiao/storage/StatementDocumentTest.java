package com.lijiaoqiao.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

/** Invoice and statement files: CSV quoting (and no spreadsheet formulas), a PDF that pages and survives any text. */
class StatementDocumentTest {
  @Test
  void csvCellsAreQuotedAndFormulasDefused() {
    StatementDocument d = new StatementDocument("t", List.of(new StatementDocument.Fact("total", "-1.50")),
        List.of("name", "amount"), List.of(new StatementDocument.Row("charges", List.of("=HYPERLINK(\"x\")", "1.00")),
        new StatementDocument.Row("charges", List.of("a,b", "2.00"))));
    String csv = new String(d.csv(), StandardCharsets.UTF_8);
    assertThat(csv).isEqualTo("section,name,amount\nsummary,total,-1.50\ncharges,\"'=HYPERLINK(\"\"x\"\")\",1.00\n"
        + "charges,\"a,b\",2.00\n");
  }

  @Test
  void aLongDocumentWithCharactersOutsideTheFontRendersOverSeveralPages() throws Exception {
    List<StatementDocument.Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) rows.add(new StatementDocument.Row("charges_by_model", List.of("模型-" + i, "1.00")));
    byte[] pdf = new StatementDocument("Invoice 2026-01 - 立交桥", List.of(new StatementDocument.Fact("period", "2026-01")),
        List.of("name", "amount"), rows).pdf();
    try (PDDocument doc = Loader.loadPDF(pdf)) {
      assertThat(doc.getNumberOfPages()).isGreaterThan(1);
      assertThat(new PDFTextStripper().getText(doc)).contains("Invoice 2026-01").contains("??-199");
    }
  }
}
