#1770424473
tail -n 50 /var/log/syslog
#1770424573
free -m
#1770439127
free -m
#1770439160
uptime
#1770440193
uptime
#1770440212
ls -la /srv
#1770441622
journalctl -u nginx --since today
#1770441663
df -h
#1770461780
systemctl status app
#1770461874
ls -la /srv
#1770486360
journalctl -u nginx --since today
#1770486464
ls -la /srv
#1770497247
uptime
#1770497332
df -h
#1770507083
tail -n 50 /var/log/syslog
#1770507182
ls -la /srv
#1770522159
ls -la /srv
#1770522181
free -m
#1770558726
tail -n 50 /var/log/syslog
#1770558749
systemctl status app
#1770563968
df -h
#1770564011
systemctl status app
#1770572328
journalctl -u nginx --since today
#1770572437
uptime
#1770587601
free -m
#1770587658
ls -la /srv
#1770594917
ls -la /srv
#1770594987
systemctl status app
#1770600113
free -m
#1770600144
tail -n 50 /var/log/syslog
#1770612282
df -h
#1770612298
tail -n 50 /var/log/syslog
#1770646274
free -m
#1770646308
ls -la /srv
#1770666460
df -h
#1770666572
systemctl status app
