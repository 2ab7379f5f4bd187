//! The measures every box and gap is built from: font sizes, box sizes,
//! paddings and gaps, and the estimated width of a text. The SVG draws with
//! the same fonts, so it reads its sizes from here too.

/// Font size of a state's name.
pub(crate) const NAME_FONT: f64 = 13.0;
/// Font size of a state's type, edge labels and branch labels.
pub(crate) const SMALL_FONT: f64 = 11.0;
/// Height of a plain state box.
pub(super) const NODE_HEIGHT: f64 = 46.0;
/// Size of the Start and End terminals.
pub(super) const TERMINAL: (f64, f64) = (64.0, 26.0);
/// Padding inside a nested box around its branches.
pub(super) const BRANCH_PAD: f64 = 12.0;
/// Height of a branch's title ("Branch 1").
pub(crate) const BRANCH_TITLE: f64 = 20.0;
/// Narrowest a state box gets.
pub(super) const NODE_MIN_WIDTH: f64 = 120.0;
/// Horizontal room around the wider of a state's name and type.
pub(super) const NODE_PADDING: f64 = 28.0;
/// Room for the ↻ badge of a state with Retry, kept on both sides so the
/// name stays centred.
pub(super) const RETRY_BADGE: f64 = 18.0;
/// Vertical gap between two rows.
pub(super) const RANK_GAP: f64 = 60.0;
/// Margin around the top-level scope.
pub(super) const MARGIN: f64 = 16.0;
/// Margin around a branch's scope inside its nested box.
pub(super) const NESTED_MARGIN: f64 = 8.0;
/// Widest spacing between the edges leaving (or entering) one side of a box.
pub(super) const PORT_SPACING: f64 = 18.0;

/// Width of `text` at `font_size`, estimated (no font metrics): wide
/// characters (CJK, emoji) count one em, others a bit over half.
pub(crate) fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars()
        .map(|c| if (c as u32) >= 0x1100 { 1.0 } else { 0.6 })
        .sum::<f64>()
        * font_size
}
