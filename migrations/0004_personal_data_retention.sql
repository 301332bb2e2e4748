ALTER TABLE "bookings" ADD COLUMN "anonymised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "anonymised_at" timestamp with time zone;