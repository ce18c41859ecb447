//! CSV cells for every file the product writes (RFC 4180 quoting, by the csv crate) made safe
//! to open in a spreadsheet: a cell a spreadsheet would read as a formula is written as text.

use csv::{QuoteStyle, WriterBuilder};

/// Characters that make a spreadsheet read a cell as a formula (OWASP's list).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV field: prefixed with `'` when a spreadsheet would run it as a formula, then quoted
/// when it holds a comma, quote or line break. A plain number (`-2`, `+1.5`) stays a number:
/// it cannot run anything, and a sentiment column of text would not sort.
pub fn field(value: &str) -> String {
    let value = inert(value);
    // Alone in a record the crate writes an empty field as `""` (an empty line is no record);
    // within a row it is nothing.
    if value.is_empty() {
        return value;
    }
    write(&value, QuoteStyle::Necessary)
}

/// One CSV field, always quoted (text columns), formulas written as text.
pub fn quoted(value: &str) -> String {
    write(&inert(value), QuoteStyle::Always)
}

/// `value` as one CSV field, quoted as `style` says (quotes inside doubled).
fn write(value: &str, style: QuoteStyle) -> String {
    let mut w = WriterBuilder::new()
        .quote_style(style)
        // Room for the field quoted whole, so that it is written in one piece.
        .buffer_capacity(2 * value.len() + 3)
        .from_writer(Vec::new());
    // Writing one record to memory cannot fail.
    let mut bytes = match w.write_record([value]) {
        Ok(()) => w.into_inner().unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    // The record's terminator.
    bytes.pop();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `value` with a `'` before it when a spreadsheet would run it as a formula.
fn inert(value: &str) -> String {
    let formula = value.starts_with(FORMULA_START) && value.trim().parse::<f64>().is_err();
    if formula {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+cmd"), "'+cmd");
        assert_eq!(field("-1+1"), "'-1+1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("\rx"), "\"'\rx\"");
        assert_eq!(field("-2"), "-2");
        assert_eq!(field("+1.5"), "+1.5");
        assert_eq!(field("Anna, B"), "\"Anna, B\"");
        assert_eq!(field("plain"), "plain");
        assert_eq!(super::quoted("=1+1"), "\"'=1+1\"");
        assert_eq!(super::quoted("a\"b"), "\"a\"\"b\"");
        assert_eq!(field(""), "");
        assert_eq!(super::quoted(""), "\"\"");
        assert_eq!(field("a\nb"), "\"a\nb\"");
        assert_eq!(field(" zażółć #1 "), " zażółć #1 ");
    }
}
