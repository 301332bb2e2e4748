DROP INDEX "bookings_office_status_idx";--> statement-breakpoint
CREATE INDEX "bookings_office_created_idx" ON "bookings" USING btree ("office_id","created_at","id");--> statement-breakpoint
CREATE INDEX "bookings_created_idx" ON "bookings" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "bookings_application_idx" ON "bookings" USING btree ("application_number");--> statement-breakpoint
CREATE INDEX "bookings_office_status_idx" ON "bookings" USING btree ("office_id","status","created_at","id");