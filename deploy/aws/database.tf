resource "aws_db_subnet_group" "warehouse" {
  name       = "${var.name}-warehouse"
  subnet_ids = aws_subnet.private[*].id
}

# TLS only: the server refuses a connection that does not use it. The functions verify the
# server's certificate against the RDS CA bundle in their zip (scripts/package-lambda).
resource "aws_db_parameter_group" "warehouse" {
  name   = "${var.name}-warehouse"
  family = "mysql8.4"
  parameter {
    name  = "require_secure_transport"
    value = "1"
  }
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
  final_snapshot_identifier   = "${var.name}-warehouse-final"
}
