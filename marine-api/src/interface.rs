//! The interface of a service as Marine's API returns it: [`MarineInterface`], per module a
//! [`MarineModuleInterface`] of [`MarineFunctionSignature`]s and record types.

use crate::values::{IFunctionArg, IRecordType, IType, MRecordTypes, itype_text_view};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// An exported function (marine-core's `MFunctionSignature`).
#[derive(PartialEq, Eq, Debug, Clone, Hash, Serialize, Deserialize)]
pub struct MarineFunctionSignature {
    /// The function name.
    pub name: Arc<String>,
    /// Its named parameters.
    pub arguments: Arc<Vec<IFunctionArg>>,
    /// Its result types (at most one).
    pub outputs: Arc<Vec<IType>>,
}

/// The interface of one module: its exported functions, sorted by name (D39), and the record
/// types they use (marine-core's `MModuleInterface`).
#[derive(PartialEq, Eq, Debug, Clone, Serialize)]
pub struct MarineModuleInterface<'a> {
    /// The records the functions use, by id.
    pub record_types: &'a MRecordTypes,
    /// The exported functions.
    pub function_signatures: Vec<MarineFunctionSignature>,
}

/// The interface of every loaded module, by module name.
///
/// `Display` prints Marine's listing (what `mrepl interface` shows), with modules and records
/// in name order where Marine's order varies from run to run (D39):
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Arc;
/// use marine::{IFunctionArg, IType, MarineFunctionSignature, MarineInterface, MarineModuleInterface};
///
/// let records = HashMap::new();
/// let greeting = MarineModuleInterface {
///     record_types: &records,
///     function_signatures: vec![MarineFunctionSignature {
///         name: Arc::new("greeting".into()),
///         arguments: Arc::new(vec![IFunctionArg { name: "name".into(), ty: IType::String }]),
///         outputs: Arc::new(vec![IType::String]),
///     }],
/// };
/// let interface = MarineInterface { modules: HashMap::from([("greeting", greeting)]) };
/// assert_eq!(
///     interface.to_string(),
///     "exported data types (combined from all modules):\n<no exported data types>\n\n\
///      exported functions:\ngreeting:\n  func greeting(name: string) -> string\n"
/// );
/// ```
#[derive(PartialEq, Eq, Debug, Clone, Serialize)]
pub struct MarineInterface<'a> {
    /// Each module's interface.
    pub modules: HashMap<&'a str, MarineModuleInterface<'a>>,
}

impl MarineInterface<'_> {
    fn sorted_modules(&self) -> Vec<(&str, &MarineModuleInterface<'_>)> {
        let mut modules: Vec<_> = self.modules.iter().map(|(n, m)| (*n, m)).collect();
        modules.sort_by(|a, b| a.0.cmp(b.0));
        modules
    }
}

impl fmt::Display for MarineInterface<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let modules = self.sorted_modules();
        writeln!(f, "exported data types (combined from all modules):")?;
        // A record several modules export is printed once, as Marine does.
        let mut printed: Vec<&IRecordType> = Vec::new();
        for (_, module) in &modules {
            let mut records: Vec<&IRecordType> =
                module.record_types.values().map(Arc::as_ref).collect();
            records.sort_by(|a, b| a.name.cmp(&b.name));
            for record in records {
                if printed.contains(&record) {
                    continue;
                }
                printed.push(record);
                writeln!(f, "data {}:", record.name)?;
                for field in record.fields.iter() {
                    writeln!(
                        f,
                        "  {}: {}",
                        field.name,
                        itype_text_view(&field.ty, module.record_types)
                    )?;
                }
            }
        }
        if printed.is_empty() {
            writeln!(f, "<no exported data types>")?;
        }
        writeln!(f)?;
        writeln!(f, "exported functions:")?;
        for (name, module) in modules {
            writeln!(f, "{name}:")?;
            if module.function_signatures.is_empty() {
                writeln!(f, "<no exported functions>")?;
                continue;
            }
            for function in &module.function_signatures {
                let args = function
                    .arguments
                    .iter()
                    .map(|arg| {
                        format!(
                            "{}: {}",
                            arg.name,
                            itype_text_view(&arg.ty, module.record_types)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                write!(f, "  func {}({args})", function.name)?;
                // Toolchain-built modules have at most one result (D56); more are listed
                // rather than refused (Marine panics).
                let outputs = function
                    .outputs
                    .iter()
                    .map(|ty| itype_text_view(ty, module.record_types))
                    .collect::<Vec<_>>();
                match outputs.len() {
                    0 => writeln!(f)?,
                    1 => writeln!(f, " -> {}", outputs[0])?,
                    _ => writeln!(f, " -> ({})", outputs.join(", "))?,
                }
            }
        }
        Ok(())
    }
}
