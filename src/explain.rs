//! Long explanations for `poolc explain CODE`.

use crate::code::Code;

/// Returns what triggers a code, why it matters, an example and the fix.
pub fn explanation(code: Code) -> String {
    // TODO: every code gets its own explanation page; until then the summary is all there is.
    format!("{} ({})", code.name(), code.severity().name())
}
