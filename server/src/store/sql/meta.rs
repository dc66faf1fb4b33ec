// Settings, the catalogue and the holidays.

use std::str::FromStr;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use qala_protocol::{Agency, Category, Entity, EntityKind};
use sqlx::Row;

use super::{Backend, unknown_agency, write_change};
use crate::domain::calendar::Holiday;
use crate::store::error::{OnConstraint, StoreError, StoreResult};
use crate::store::MetaStore;

#[async_trait]
impl MetaStore for Backend {
    async fn meta_get_or_init(&self, key: &str, init: &str) -> StoreResult<String> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(key)
            .bind(init)
            .execute(&mut *tx)
            .await?;
        let v: String =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = $1").bind(key).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(v)
    }

    async fn meta_set(&self, key: &str, value: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn seed_catalog(&self, agencies: &[Agency], categories: &[Category]) -> StoreResult<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        for a in agencies {
            let done = sqlx::query("INSERT INTO agencies (code, data) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&a.code)
                .bind(serde_json::to_string(a)?)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                write_change(&mut tx, EntityKind::Agency, &a.code, Some(&Entity::Agency(a.clone())), now).await?;
            }
        }
        for c in categories {
            let done = sqlx::query("INSERT INTO categories (code, agency, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(&c.code)
                .bind(&c.agency)
                .bind(serde_json::to_string(c)?)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                write_change(&mut tx, EntityKind::Category, &c.code, Some(&Entity::Category(c.clone())), now)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn agencies(&self) -> StoreResult<Vec<Agency>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM agencies ORDER BY code").fetch_all(&self.read).await?;
        rows.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    async fn categories(&self) -> StoreResult<Vec<Category>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM categories ORDER BY code").fetch_all(&self.read).await?;
        rows.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    async fn seed_holidays(&self, holidays: &[Holiday]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for h in holidays {
            sqlx::query("INSERT INTO holidays (day, name, working) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(h.date.to_string())
                .bind(&h.name)
                .bind(h.working as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn put_agency(&self, a: &Agency) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO agencies (code, data) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET data = excluded.data")
            .bind(&a.code)
            .bind(serde_json::to_string(a)?)
            .execute(&mut *tx)
            .await?;
        write_change(&mut tx, EntityKind::Agency, &a.code, Some(&Entity::Agency(a.clone())), Utc::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn put_category(&self, c: &Category) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO categories (code, agency, data) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET agency = excluded.agency, data = excluded.data",
        )
        .bind(&c.code)
        .bind(&c.agency)
        .bind(serde_json::to_string(c)?)
        .execute(&mut *tx)
        .await
        .on_foreign_key(|| unknown_agency(&c.agency))?;
        write_change(&mut tx, EntityKind::Category, &c.code, Some(&Entity::Category(c.clone())), Utc::now())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn put_holiday(&self, h: &Holiday) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO holidays (day, name, working) VALUES ($1, $2, $3)
             ON CONFLICT (day) DO UPDATE SET name = excluded.name, working = excluded.working",
        )
        .bind(h.date.to_string())
        .bind(&h.name)
        .bind(h.working as i64)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_holiday(&self, day: NaiveDate) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM holidays WHERE day = $1").bind(day.to_string()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn holidays(&self) -> StoreResult<Vec<Holiday>> {
        let rows = sqlx::query("SELECT day, name, working FROM holidays ORDER BY day").fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                let day: String = r.get("day");
                Ok(Holiday {
                    date: NaiveDate::from_str(&day)
                        .map_err(|e| StoreError::Corrupt(format!("bad holiday {day}: {e}")))?,
                    name: r.get("name"),
                    working: r.get::<i64, _>("working") != 0,
                })
            })
            .collect()
    }
}
