//! `videohub models …`: the compiled catalog, one model's parameters, and source for new ones.

use std::process::ExitCode;

use serde_json::json;
use videohub::ModelSchema;
use videohub::models::catalog;
use videohub::schema::ParamSchema;

use crate::args::{HubArgs, ModelsCommand};
use crate::codegen;
use crate::hub::{Hub, api};
use crate::output::{Exit, Failure, print_json, table};
use crate::output::{out, outln};
use crate::schemas;

pub(crate) async fn run(command: ModelsCommand, hub: &HubArgs) -> Result<ExitCode, Failure> {
    match command {
        ModelsCommand::List { category, json } => {
            let models: Vec<&ModelSchema> = catalog()
                .iter()
                .copied()
                .filter(|m| category.is_none_or(|c| m.category == c))
                .collect();
            if json {
                let list: Vec<_> = models
                    .iter()
                    .map(|m| json!({"id": m.id, "name": m.name, "vendor": m.vendor, "category": m.category}))
                    .collect();
                print_json(&list)?;
            } else {
                let mut rows = vec![vec![
                    "ID".into(),
                    "CATEGORY".into(),
                    "VENDOR".into(),
                    "NAME".into(),
                ]];
                rows.extend(models.iter().map(|m| {
                    vec![
                        m.id.to_string(),
                        m.category.to_string(),
                        m.vendor.to_string(),
                        m.name.to_string(),
                    ]
                }));
                out!("{}", table(&rows));
            }
        }
        ModelsCommand::Show { id, json } => {
            let model = match videohub::models::find(&id) {
                Some(model) => model.clone(),
                None => schemas::resolve(&Hub::connect(hub).await?, &id).await?,
            };
            if json {
                print_json(&model)?;
            } else {
                out!("{}", describe(&model));
            }
        }
        ModelsCommand::Check { json } => return check(&Hub::connect(hub).await?, json).await,
        ModelsCommand::Codegen {
            ids,
            all_missing,
            output,
        } => {
            let hub = Hub::connect(hub).await?;
            let ids = if all_missing {
                missing(&hub).await?
            } else {
                ids
            };
            let mut schemas = Vec::with_capacity(ids.len());
            for id in &ids {
                schemas.push(hub.client.model_schema(id).await.map_err(|e| match e {
                    videohub::Error::NotFound { .. } => unknown(id),
                    other => api(other),
                })?);
            }
            let source = codegen::rust_source(&schemas.iter().collect::<Vec<_>>());
            match output {
                Some(path) => std::fs::write(&path, source).map_err(|e| {
                    Failure::usage(format!("cannot write `{}`: {e}", path.display()))
                })?,
                None => out!("{source}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The ids the live hub lists, of every capability, that videohub does not compile.
async fn missing(hub: &Hub) -> Result<Vec<String>, Failure> {
    let mut ids = Vec::new();
    for capability in videohub::Capability::ALL {
        let live = hub.client.models(capability).await.map_err(api)?;
        ids.extend(
            live.into_iter()
                .map(|m| m.id)
                .filter(|id| videohub::models::find(id).is_none()),
        );
    }
    Ok(ids)
}

/// Compares every compiled model with the live hub: exit 0 when in step, 4 on drift.
async fn check(hub: &Hub, json: bool) -> Result<ExitCode, Failure> {
    let live = hub
        .client
        .models(videohub::Capability::Video)
        .await
        .map_err(api)?;
    let mut reports = Vec::new();
    for model in catalog() {
        let (status, differences) = if live.iter().any(|m| m.id == model.id) {
            let schema = hub.client.model_schema(&model.id).await.map_err(api)?;
            let differences = model.diff(&schema);
            (
                if differences.is_empty() {
                    "in-step"
                } else {
                    "drift"
                },
                differences,
            )
        } else {
            ("missing", Vec::new())
        };
        reports.push((model, status, differences));
    }
    let not_compiled: Vec<&str> = live
        .iter()
        .map(|m| m.id.as_str())
        .filter(|id| videohub::models::find(id).is_none())
        .collect();
    let in_step = reports.iter().all(|(_, status, _)| *status == "in-step");
    if json {
        let models: Vec<_> = reports
            .iter()
            .map(|(m, status, differences)| json!({"id": m.id, "status": status, "differences": differences}))
            .collect();
        print_json(&json!({"in_step": in_step, "models": models, "not_compiled": not_compiled}))?;
    } else {
        for (model, status, differences) in &reports {
            match *status {
                "in-step" => outln!("{}: in step", model.id),
                "missing" => outln!("{}: not listed by the hub", model.id),
                _ => {
                    outln!("{}: {} difference(s)", model.id, differences.len());
                    for difference in differences {
                        outln!("  {difference}");
                    }
                }
            }
        }
        if !not_compiled.is_empty() {
            outln!(
                "\nthe hub also lists {} model(s) videohub does not compile: {}\n  use them by id with `videohub generate`, or write types with `videohub models codegen --all-missing`",
                not_compiled.len(),
                not_compiled.join(", ")
            );
        }
    }
    Ok(if in_step {
        ExitCode::SUCCESS
    } else {
        Exit::Drift.into()
    })
}

/// The error for a model id neither compiled nor on the hub.
pub(crate) fn unknown(id: &str) -> Failure {
    let ids = catalog().iter().map(|m| m.id.as_ref());
    let hint = videohub::schema::suggest(id, ids)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    Failure::usage(format!(
        "unknown model `{id}`{hint}; `videohub models list` shows them all"
    ))
}

/// A model's parameters as a table, with its image rule and constraints.
fn describe(model: &ModelSchema) -> String {
    let mut out = format!(
        "{} ({}), {}: {}\n{}\n\n",
        model.name, model.id, model.vendor, model.category, model.description
    );
    let mut rows = vec![
        [
            "NAME",
            "TYPE",
            "REQUIRED",
            "DEFAULT",
            "VALUES / RANGE",
            "DESCRIPTION",
        ]
        .map(String::from)
        .to_vec(),
    ];
    rows.extend(model.params.iter().map(|p| {
        vec![
            p.name.to_string(),
            p.ty.to_string(),
            if p.required {
                "yes".into()
            } else {
                String::new()
            },
            p.default
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            limits(p),
            p.description.to_string(),
        ]
    }));
    out.push_str(&table(&rows));
    if let Some(images) = &model.image_inputs {
        let count = if images.min == images.max {
            images.min.to_string()
        } else {
            format!("{} to {}", images.min, images.max)
        };
        out.push_str(&format!(
            "\nimages: {count} in `{}` ({})\n",
            images.param,
            images.roles.join("; ")
        ));
    }
    for constraint in model.constraints.iter() {
        out.push_str(&format!(
            "\nrule: {} of {}\n",
            constraint.kind.as_str().replace('_', " "),
            constraint.params.join(", ")
        ));
    }
    out
}

fn limits(param: &ParamSchema) -> String {
    let values = param.values.as_ref().map(|v| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    });
    let range = param.range.as_ref().map(ToString::to_string);
    let length = param.max_length.map(|m| format!("≤ {m} chars"));
    [values, range, length]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}
