-- One schema per service: a service reads and writes only its own.
create schema if not exists campaign;
create schema if not exists reward;
create schema if not exists fulfillment;
create schema if not exists users;
