//! The schedules people define, one row each: the
//! [`ScheduleStore`](rez_core::ports::ScheduleStore) port.

use chrono::{DateTime, Utc};
use rez_core::ports::{
    SchedulePage, ScheduleQuery, ScheduleStore, ScheduleStoreError, schedule_cursor,
};
use rez_core::schedule::{Schedule, ScheduleId};
use rusqlite::{Connection, OptionalExtension, Row, named_params};

use super::error::BlockingFailure;
use super::error::store_error;
use super::store::SqliteStore;

const COLUMNS: &str = "id, name, expression, timezone, start_date, end_date, notification, \
     state, owner, created_date, updated_date";

impl BlockingFailure for ScheduleStoreError {
    fn task_failed(reason: String) -> Self {
        ScheduleStoreError::Unavailable(reason)
    }
}

/// SQLite's failure as the schedule store's.
fn failure(e: rusqlite::Error) -> ScheduleStoreError {
    store_error(e).into()
}

#[async_trait::async_trait]
impl ScheduleStore for SqliteStore {
    async fn create_schedule(&self, schedule: &Schedule) -> Result<(), ScheduleStoreError> {
        let row = ScheduleRow::of(schedule)?;
        let id = schedule.id.clone();
        self.db
            .write(move |conn| {
                let inserted = conn
                    .prepare_cached(&format!(
                        "INSERT INTO schedules ({COLUMNS}) VALUES (:id, :name, :expression, \
                         :timezone, :start_date, :end_date, :notification, :state, :owner, \
                         :created_date, :updated_date) ON CONFLICT (id) DO NOTHING"
                    ))
                    .and_then(|mut insert| insert.execute(row.params().as_slice()))
                    .map_err(failure)?;
                if inserted == 0 {
                    return Err(ScheduleStoreError::AlreadyExists(id));
                }
                Ok(())
            })
            .await
    }

    async fn get_schedule(&self, id: &ScheduleId) -> Result<Option<Schedule>, ScheduleStoreError> {
        let id = id.to_string();
        self.db
            .call(move |conn| {
                conn.prepare_cached(&format!("SELECT {COLUMNS} FROM schedules WHERE id = ?1"))
                    .and_then(|mut select| select.query_row([&id], read_row).optional())
                    .map_err(failure)?
                    .transpose()
            })
            .await
    }

    async fn list_schedules(
        &self,
        query: &ScheduleQuery,
    ) -> Result<SchedulePage, ScheduleStoreError> {
        let limit = query.limit;
        let after = query
            .cursor
            .as_ref()
            .map(|c| (c.created_date.clone(), c.id.clone()));
        self.db.call(move |conn| list(conn, after, limit)).await
    }

    async fn replace_schedule(
        &self,
        schedule: &Schedule,
        read_updated: DateTime<Utc>,
    ) -> Result<(), ScheduleStoreError> {
        let row = ScheduleRow::of(schedule)?;
        let id = schedule.id.clone();
        let read_updated = rez_core::time::format(read_updated);
        self.db
            .write(move |conn| {
                let mut params = row.params();
                params.push((":read_updated", &read_updated));
                let replaced = conn
                    .prepare_cached(
                        "UPDATE schedules SET name = :name, expression = :expression, \
                         timezone = :timezone, start_date = :start_date, end_date = :end_date, \
                         notification = :notification, state = :state, owner = :owner, \
                         created_date = :created_date, updated_date = :updated_date \
                         WHERE id = :id AND updated_date = :read_updated",
                    )
                    .and_then(|mut update| update.execute(params.as_slice()))
                    .map_err(failure)?;
                if replaced == 0 {
                    return Err(ScheduleStoreError::Changed(id));
                }
                Ok(())
            })
            .await
    }

    async fn delete_schedule(&self, id: &ScheduleId) -> Result<(), ScheduleStoreError> {
        let id = id.clone();
        self.db
            .write(move |conn| {
                let deleted = conn
                    .prepare_cached("DELETE FROM schedules WHERE id = ?1")
                    .and_then(|mut delete| delete.execute([id.as_str()]))
                    .map_err(failure)?;
                if deleted == 0 {
                    return Err(ScheduleStoreError::NotFound(id));
                }
                Ok(())
            })
            .await
    }
}

impl SqliteStore {
    /// Every enabled schedule the API made, with the last fire the embedded
    /// stack made of it ([`SqliteStore::schedule_fired`]), oldest first. The
    /// deployment's own schedule is fired by the daily scheduler loop.
    ///
    /// # Errors
    /// [`ScheduleStoreError::Unavailable`], [`ScheduleStoreError::Corrupt`].
    pub async fn enabled_schedules(
        &self,
    ) -> Result<Vec<(Schedule, Option<DateTime<Utc>>)>, ScheduleStoreError> {
        self.db
            .call(|conn| {
                let mut select = conn
                    .prepare_cached(&format!(
                        "SELECT {COLUMNS}, last_fire FROM schedules \
                         WHERE state = 'ENABLED' AND owner = 'api' ORDER BY created_date, id"
                    ))
                    .map_err(failure)?;
                let rows = select
                    .query_map([], |row| {
                        let last: Option<String> = row.get(11)?;
                        Ok((read_row(row)?, last))
                    })
                    .map_err(failure)?;
                let mut found = Vec::new();
                for row in rows {
                    let (schedule, last) = row.map_err(failure)?;
                    let schedule = schedule?;
                    let last = last
                        .map(|text| {
                            rez_core::time::parse(&text).map_err(|e| {
                                ScheduleStoreError::Corrupt(format!(
                                    "schedule {}: last_fire: {e}",
                                    schedule.id
                                ))
                            })
                        })
                        .transpose()?;
                    found.push((schedule, last));
                }
                Ok(found)
            })
            .await
    }

    /// Records `fire` as the last fire of schedule `id`, unless a later one
    /// is recorded; a schedule deleted meanwhile is left alone.
    ///
    /// # Errors
    /// [`ScheduleStoreError::Unavailable`].
    pub async fn schedule_fired(
        &self,
        id: &ScheduleId,
        fire: DateTime<Utc>,
    ) -> Result<(), ScheduleStoreError> {
        let id = id.to_string();
        let fire = rez_core::time::format(fire);
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE schedules SET last_fire = ?2 \
                     WHERE id = ?1 AND (last_fire IS NULL OR last_fire < ?2)",
                )
                .and_then(|mut update| update.execute([&id, &fire]))
                .map(drop)
                .map_err(failure)
            })
            .await
    }
}

/// One page, newest first, after the cursor's (`created_date`, `id`).
fn list(
    conn: &Connection,
    after: Option<(String, String)>,
    limit: u32,
) -> Result<SchedulePage, ScheduleStoreError> {
    let (after_created, after_id) = after.unzip();
    let mut select = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM schedules \
             WHERE :after_created IS NULL OR (created_date, id) < (:after_created, :after_id) \
             ORDER BY created_date DESC, id DESC LIMIT :fetch"
        ))
        .map_err(failure)?;
    let rows = select
        .query_map(
            named_params! {
                ":after_created": after_created,
                ":after_id": after_id,
                ":fetch": i64::from(limit) + 1,
            },
            read_row,
        )
        .map_err(failure)?;
    let mut items = Vec::new();
    for row in rows {
        items.push(row.map_err(failure)??);
    }
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = items.last().filter(|_| more).map(schedule_cursor);
    Ok(SchedulePage { items, next_cursor })
}

/// A schedule as its row's texts.
struct ScheduleRow {
    id: String,
    name: String,
    expression: String,
    timezone: String,
    start_date: Option<String>,
    end_date: Option<String>,
    notification: String,
    state: &'static str,
    owner: &'static str,
    created_date: String,
    updated_date: String,
}

impl ScheduleRow {
    fn of(s: &Schedule) -> Result<Self, ScheduleStoreError> {
        let notification = serde_json::to_string(&s.notification).map_err(|e| {
            ScheduleStoreError::Corrupt(format!("schedule {}: its notification: {e}", s.id))
        })?;
        Ok(Self {
            id: s.id.to_string(),
            name: s.name.clone(),
            expression: s.expression.clone(),
            timezone: s.timezone.clone(),
            start_date: s.start_date.map(rez_core::time::format),
            end_date: s.end_date.map(rez_core::time::format),
            notification,
            state: s.state.as_str(),
            owner: s.owner.as_str(),
            created_date: rez_core::time::format(s.created_date),
            updated_date: rez_core::time::format(s.updated_date),
        })
    }

    fn params(&self) -> Vec<(&str, &dyn rusqlite::ToSql)> {
        vec![
            (":id", &self.id),
            (":name", &self.name),
            (":expression", &self.expression),
            (":timezone", &self.timezone),
            (":start_date", &self.start_date),
            (":end_date", &self.end_date),
            (":notification", &self.notification),
            (":state", &self.state),
            (":owner", &self.owner),
            (":created_date", &self.created_date),
            (":updated_date", &self.updated_date),
        ]
    }
}

/// A row back into a schedule; a value that does not read back is `Corrupt`.
fn read_row(row: &Row<'_>) -> rusqlite::Result<Result<Schedule, ScheduleStoreError>> {
    let id: String = row.get(0)?;
    let texts: [Option<String>; 11] = [
        Some(id.clone()),
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
    ];
    Ok(decode(&id, texts))
}

fn decode(id: &str, texts: [Option<String>; 11]) -> Result<Schedule, ScheduleStoreError> {
    let corrupt = |what: &str, why: String| {
        ScheduleStoreError::Corrupt(format!("schedule {id}: {what}: {why}"))
    };
    let [
        _,
        name,
        expression,
        timezone,
        start,
        end,
        notification,
        state,
        owner,
        created,
        updated,
    ] = texts;
    let required = |value: Option<String>, what: &str| {
        value.ok_or_else(|| corrupt(what, "missing".to_owned()))
    };
    let date = |text: String, what: &str| {
        rez_core::time::parse(&text).map_err(|e| corrupt(what, e.to_string()))
    };
    Ok(Schedule {
        id: id
            .parse()
            .map_err(|e: rez_core::ValidationError| corrupt("id", e.to_string()))?,
        name: required(name, "name")?,
        expression: required(expression, "expression")?,
        timezone: required(timezone, "timezone")?,
        start_date: start.map(|t| date(t, "start_date")).transpose()?,
        end_date: end.map(|t| date(t, "end_date")).transpose()?,
        notification: serde_json::from_str(&required(notification, "notification")?)
            .map_err(|e| corrupt("notification", e.to_string()))?,
        state: required(state, "state")?
            .parse()
            .map_err(|e: rez_core::ValidationError| corrupt("state", e.message))?,
        owner: required(owner, "owner")?
            .parse()
            .map_err(|e: rez_core::ValidationError| corrupt("owner", e.message))?,
        created_date: date(required(created, "created_date")?, "created_date")?,
        updated_date: date(required(updated, "updated_date")?, "updated_date")?,
    })
}
