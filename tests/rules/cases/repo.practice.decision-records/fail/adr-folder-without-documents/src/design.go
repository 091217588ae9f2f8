package design
