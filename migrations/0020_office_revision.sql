ALTER TABLE "offices" ADD COLUMN "revision" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Every update of an office row counts: a quote is inserted only while the revision is still the
-- one its API process priced with (quotes.repository.ts), so the count must not depend on which
-- code path (or which operator's psql) changed the office.
CREATE FUNCTION offices_next_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.revision := OLD.revision + 1;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER offices_revision BEFORE UPDATE ON offices FOR EACH ROW EXECUTE FUNCTION offices_next_revision();
--> statement-breakpoint
-- A closing day added, changed or removed is a change of its office (a quote shows the closing days).
CREATE FUNCTION office_closures_touch_office() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE offices SET revision = revision + 1 WHERE id = OLD.office_id;
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.office_id <> OLD.office_id) THEN
    UPDATE offices SET revision = revision + 1 WHERE id = NEW.office_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER office_closures_revision AFTER INSERT OR UPDATE OR DELETE ON office_closures FOR EACH ROW EXECUTE FUNCTION office_closures_touch_office();
