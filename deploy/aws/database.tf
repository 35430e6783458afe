resource "aws_db_subnet_group" "warehouse" {
  name       = "${var.name}-warehouse"
  subnet_ids = aws_subnet.private[*].id
}

# TLS only: the server refuses a connection that does not use it. The functions verify the
# server's certificate against the RDS CA bundle in their zip (scripts/package-lambda).
# Idle sessions end after 5 minutes (MySQL's default is 8 hours): a frozen or replaced execution
# environment cannot close its connections, so the server does. The functions' pools reconnect
# a connection idle nearly that long instead of using it
# (DONUT_MYSQL_MAX_IDLE_SECONDS, functions.tf).
resource "aws_db_parameter_group" "warehouse" {
  name   = "${var.name}-warehouse"
  family = "mysql8.4"
  parameter {
    name  = "require_secure_transport"
    value = "1"
  }
  parameter {
    name  = "wait_timeout"
    value = local.database_wait_timeout_seconds
  }
}

locals {
  database_wait_timeout_seconds = 300
  # After a deploy, the replaced environments' sessions live until wait_timeout beside the new
  # environments' own: count both, and keep 20% of max_connections for the operator and RDS.
  database_connections_at_deploy = 2 * local.database_connections
  database_connections_allowed   = floor(0.8 * lookup(local.database_max_connections, var.db_instance_class, 0))
}

# The warehouse. RDS keeps the master password in Secrets Manager and rotates it.
resource "aws_db_instance" "warehouse" {
  identifier                  = "${var.name}-warehouse"
  engine                      = "mysql"
  # 8.4 is the long-term-support line in standard support; 8.0 left standard support on
  # 2026-07-31, after which RDS bills Extended Support (about 0.10 USD per vCPU-hour: some
  # 146 USD a month more for a 2-vCPU db.t4g.micro). Minor versions upgrade automatically.
  engine_version              = "8.4"
  instance_class              = var.db_instance_class
  allocated_storage           = 20
  storage_encrypted           = true
  db_name                     = "donut"
  username                    = "donut"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.warehouse.name
  parameter_group_name        = aws_db_parameter_group.warehouse.name
  ca_cert_identifier          = "rds-ca-rsa2048-g1"
  vpc_security_group_ids      = [aws_security_group.database.id]
  publicly_accessible         = false
  backup_retention_period     = 7
  deletion_protection         = true
  skip_final_snapshot         = false
  # Named at creation, so a second destroy does not collide with the first one's snapshot.
  final_snapshot_identifier = "${var.name}-warehouse-final-${formatdate("YYYYMMDDhhmmss", timestamp())}"
  lifecycle {
    ignore_changes = [final_snapshot_identifier]
    precondition {
      condition     = local.database_connections_at_deploy <= local.database_connections_allowed
      error_message = "The functions may open ${local.database_connections} MySQL connections (${local.database_connections_at_deploy} while a deploy replaces them), more than the ${local.database_connections_allowed} that ${var.db_instance_class} allows with 20% to spare: choose a larger db_instance_class (docs/AWS.md, capacity per database class) or lower the concurrency."
    }
  }
}
