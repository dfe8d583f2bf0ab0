#1776570608
journalctl -u nginx --since today
#1776570708
uptime
#1776580991
ls -la /srv
#1776581069
df -h
#1776593645
systemctl status app
#1776593729
df -h
#1776608630
uptime
#1776608749
systemctl status app
#1776618442
uptime
#1776618531
ls -la /srv
#1776643024
free -m
#1776643082
uptime
#1776656486
systemctl status app
#1776656565
ls -la /srv
#1776670590
df -h
#1776670685
journalctl -u nginx --since today
#1776683605
ls -la /srv
#1776683632
journalctl -u nginx --since today
#1776690072
uptime
#1776690162
free -m
#1776703644
journalctl -u nginx --since today
#1776703657
systemctl status app
#1776721889
df -h
#1776721981
systemctl status app
#1776730734
tail -n 50 /var/log/syslog
#1776730753
journalctl -u nginx --since today
#1776731234
ls -la /srv
#1776731264
df -h
#1776735316
free -m
#1776735393
ls -la /srv
#1776750226
journalctl -u nginx --since today
#1776750282
free -m
#1776797790
journalctl -u nginx --since today
#1776797890
uptime
#1776855276
tail -n 50 /var/log/syslog
#1776855330
systemctl status app
#1776883399
ls -la /srv
#1776883411
systemctl status app
#1776898470
df -h
#1776898521
systemctl status app
#1776899126
tail -n 50 /var/log/syslog
#1776899163
journalctl -u nginx --since today
