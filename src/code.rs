//! The catalogue of diagnostic codes. A code names one kind of problem and never changes meaning.

use crate::diagnostic::Severity;

macro_rules! codes {
    ($($variant:ident => $name:literal, $severity:ident;)*) => {
        /// A stable name for one kind of problem, as printed and as `poolc explain` takes it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }
        }
    };
}

codes! {
    KdlSyntax => "kdl-syntax", Error;
    UnknownNode => "unknown-node", Error;
    UnknownProperty => "unknown-property", Error;
    InvalidValue => "invalid-value", Error;
    UnknownWorkerType => "unknown-worker-type", Warning;
    DuplicateKey => "duplicate-key", Error;
    DuplicateProperty => "duplicate-property", Error;
    NumberOutOfRange => "number-out-of-range", Error;
    MissingParent => "missing-parent", Error;
    InheritanceCycle => "inheritance-cycle", Error;
    DuplicateEnvironment => "duplicate-environment", Error;
    UnknownOverride => "unknown-override", Error;
    DuplicateVariable => "duplicate-variable", Error;
    UnresolvedSubstitution => "unresolved-substitution", Error;
    MalformedSubstitution => "malformed-substitution", Error;
    UndeclaredPlaceholder => "undeclared-placeholder", Error;
    PrefectReferenceInJobConfiguration => "prefect-reference-in-job-configuration", Error;
    LiteralBraces => "literal-braces", Warning;
    UnusedVariable => "unused-variable", Warning;
    RemovedVariableReferenced => "removed-variable-referenced", Error;
    InvalidDefault => "invalid-default", Error;
    InvalidSchema => "invalid-schema", Error;
    MissingDefinition => "missing-definition", Error;
    RequiredNotDeclared => "required-not-declared", Error;
    EmptyTemplateSection => "empty-template-section", Error;
    PlaintextSecret => "plaintext-secret", Warning;
    DottedVariableName => "dotted-variable-name", Warning;
    UnknownJobField => "unknown-job-field", Warning;
    InvalidTemplate => "invalid-template", Error;
    AmbiguousWorkerType => "ambiguous-worker-type", Error;
}

impl Code {
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|code| code.name() == name)
    }
}
